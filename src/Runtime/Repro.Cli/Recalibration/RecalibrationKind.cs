namespace Repro.Cli.Recalibration;

/// <summary>Whose weights a recalibration command works on; only the words in the report differ.</summary>
public sealed record RecalibrationKind(string Command, string Subject)
{
    public static readonly RecalibrationKind Model = new("precise-bn", "model");
    public static readonly RecalibrationKind Ema = new("ema", "EMA weights");
}
