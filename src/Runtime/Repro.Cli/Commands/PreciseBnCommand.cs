using Repro.Cli.Recalibration;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary><c>repro precise-bn</c>: recompute a model checkpoint's BN statistics over S training samples.</summary>
public sealed class PreciseBnCommand : Command<RecalibrationSettings>
{
    public override int Execute(CommandContext context, RecalibrationSettings settings, CancellationToken cancellationToken) =>
        RecalibrationRun.Execute(settings, RecalibrationKind.Model);
}
