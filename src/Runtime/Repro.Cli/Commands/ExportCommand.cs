using System.ComponentModel;
using Repro.Runtime.Interop;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>`repro export`: a Repro checkpoint → a .pt that torch.load + load_state_dict read.</summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--in <FILE>")]
        [Description("A Repro checkpoint (.safetensors).")]
        public string? In { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The .pt file to write: a state dict in torch.save's format.")]
        public string? Out { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(In)) return Spectre.Console.ValidationResult.Error("--in is required");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var config = PyTorchInterop.Export(settings.In!, settings.Out!);
        Console.Out.WriteLine($"exported {settings.In} ({config}) to {settings.Out}");
        Console.Out.WriteLine("load it with: model.load_state_dict(torch.load(path, weights_only=True))");
        return CliErrors.Ok;
    }
}
