namespace Repro.Bench;

/// <summary>How a figure compares with its target.</summary>
public enum TargetKind { None, AtMost, AtLeast }

/// <summary>One line of the results table.</summary>
public sealed record BenchRow(
    string Figure,
    string Name,
    double Value,
    string Unit,
    double? Min = null,
    double? Max = null,
    TargetKind Target = TargetKind.None,
    double TargetValue = 0,
    string Detail = "")
{
    public bool? MeetsTarget => Target switch
    {
        TargetKind.AtMost => Value <= TargetValue,
        TargetKind.AtLeast => Value >= TargetValue,
        _ => null,
    };

    public string TargetText => Target switch
    {
        TargetKind.AtMost => $"≤ {TargetValue:G4}",
        TargetKind.AtLeast => $"≥ {TargetValue:G4}",
        _ => "",
    };

    public string Verdict => MeetsTarget switch
    {
        true => "met",
        false => "MISSED",
        null => "",
    };

    public static BenchRow FromTiming(string figure, string name, Timing t, string unit = "s", string detail = "") =>
        new(figure, name, t.Median, unit, t.Min, t.Max, Detail: detail + $"{(detail.Length > 0 ? "; " : "")}median of {t.Repetitions}");

    public static BenchRow Ratio(string figure, string name, Timing ratio, TargetKind target, double targetValue, string detail = "") =>
        new(figure, name, ratio.Median, "×", ratio.Min, ratio.Max, target, targetValue, detail + $"{(detail.Length > 0 ? "; " : "")}median of {ratio.Repetitions} paired runs");

    /// <summary>A figure that could not be measured: shown as such, never dropped.</summary>
    public static BenchRow NotMeasured(string figure, string name, string why) =>
        new(figure, name, double.NaN, "", Detail: "not measured: " + why);
}
