using System.ComponentModel;
using Repro.Cli.Publishing;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// `repro checkpoint --in &lt;recalibrated.safetensors&gt; --out-dir &lt;dir&gt;`: the Checkpoint stage.
/// Publishes &lt;dir&gt;/model.safetensors (a verified copy) and &lt;dir&gt;/model.pt (for torch.load),
/// both read back and hash-checked before the command succeeds.
/// </summary>
public sealed class CheckpointCommand : Command<CheckpointCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--in <FILE>")]
        [Description("The recalibrated model (.safetensors), e.g. precise-bn's output.")]
        public string? In { get; init; }

        [CommandOption("--out-dir <DIR>")]
        [Description("Where model.safetensors and model.pt go.")]
        public string? OutDir { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string input = settings.In ?? throw new BadInputException("--in is required (the recalibrated .safetensors)");
        string outDir = settings.OutDir ?? throw new BadInputException("--out-dir is required");
        if (!File.Exists(input))
            throw new BadInputException($"--in {input}: file not found");
        var p = CheckpointPublisher.Publish(input, outDir);
        Console.Out.WriteLine($"published {p.Safetensors} sha256 {p.SafetensorsSha256}");
        Console.Out.WriteLine($"published {p.Pt} sha256 {p.PtSha256}");
        Console.Out.WriteLine($"verified  {p.Tensors} tensors read back bit-identical from both files");
        return CliErrors.Ok;
    }
}
