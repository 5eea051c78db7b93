using System.ComponentModel;
using Repro.Cli.Verification;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Verification;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// <c>repro diff &lt;expected&gt; &lt;actual&gt;</c>: two safetensors files tensor by tensor (dtype, shape, bits,
/// max absolute difference, metadata), or two JSON outputs as results (timings and paths left out).
/// Exit 0 when they match, 1 when they differ, 2 for bad input.
/// </summary>
public sealed class DiffCommand : Command<DiffCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<EXPECTED>")]
        [Description("The reference file (.safetensors or .json).")]
        public string Expected { get; init; } = "";

        [CommandArgument(1, "<ACTUAL>")]
        [Description("The file to compare with it, of the same kind.")]
        public string Actual { get; init; } = "";

        [CommandOption("--max-listed <N>")]
        [Description("List at most N differing tensors or values.")]
        [DefaultValue(20)]
        public int MaxListed { get; init; } = 20;

        public override Spectre.Console.ValidationResult Validate() => MaxListed < 1
            ? Spectre.Console.ValidationResult.Error("--max-listed must be at least 1")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        foreach (var (path, what) in new[] { (settings.Expected, "<EXPECTED>"), (settings.Actual, "<ACTUAL>") })
            if (!File.Exists(path))
                throw new BadInputException($"{what} {path}: file not found");
        string kind = Kind(settings.Expected);
        if (Kind(settings.Actual) != kind)
            throw new BadInputException($"{settings.Expected} and {settings.Actual} are not the same kind of file");

        var o = Console.Out;
        if (kind == ".safetensors")
        {
            var c = SafetensorsDiff.Compare(settings.Expected, settings.Actual);
            o.WriteLine($"{settings.Expected} → {settings.Actual}: {DifferencePrinter.Summary(c)}");
            DifferencePrinter.Tensors(o, c, settings.MaxListed, "  ");
            return c.Identical ? CliErrors.Ok : CliErrors.Failure;
        }
        var values = JsonOutputDiff.Compare(settings.Expected, settings.Actual);
        o.WriteLine($"{settings.Expected} → {settings.Actual}: " + (values.Count == 0 ? "same results (timings and paths not compared)" : $"{values.Count} values differ"));
        DifferencePrinter.Values(o, values, settings.MaxListed, "  ");
        return values.Count == 0 ? CliErrors.Ok : CliErrors.Failure;
    }

    private static string Kind(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".safetensors" or ".json"
            ? ext
            : throw new BadInputException($"{path}: repro diff compares .safetensors or .json files, not '{ext}'");
    }
}
