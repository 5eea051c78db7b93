using System.ComponentModel;
using Repro.Runtime.Devices;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Repro.Cli.Commands;

public sealed class EnvCommand : Command<EnvCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--device <DEVICE>")]
        [Description("auto, cpu, cuda or cuda:N.")]
        [DefaultValue("auto")]
        public string Device { get; init; } = "auto";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        torch.Device device = DeviceSelector.Select(settings.Device);
        using var x = torch.arange(6, dtype: torch.float64, device: device).reshape(2, 3);
        double sum = x.sum().cpu().item<double>();
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("repro", TorchRuntime.ReproVersion);
        table.AddRow("TorchSharp", TorchRuntime.TorchSharpVersion);
        table.AddRow("device", device.ToString());
        table.AddRow("cuda available", torch.cuda.is_available().ToString());
        table.AddRow("threads", torch.get_num_threads().ToString());
        table.AddRow("libtorch check", sum == 15 ? "ok (sum 0..5 = 15)" : $"WRONG: {sum}");
        AnsiConsole.Write(table);
        return sum == 15 ? CliErrors.Ok : CliErrors.Failure;
    }
}
