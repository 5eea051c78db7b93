using Repro.Cli.Recalibration;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// <c>repro ema</c>: Precise BN for an EMA-weights checkpoint. Averaged weights were never trained with
/// the BN statistics they carry, so those statistics are recomputed for them; the report's accuracy
/// is the EMA model's.
/// </summary>
public sealed class EmaCommand : Command<RecalibrationSettings>
{
    public override int Execute(CommandContext context, RecalibrationSettings settings, CancellationToken cancellationToken) =>
        RecalibrationRun.Execute(settings, RecalibrationKind.Ema);
}
