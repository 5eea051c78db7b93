using System.Globalization;
using Repro.Runtime.Calibration;

namespace Repro.Cli.Recalibration;

/// <summary>The few lines a person reads after a run; everything else is in the report.</summary>
public static class RecalibrationSummary
{
    public static void Print(TextWriter o, PreciseBnReport r, string output, string reportPath)
    {
        var c = CultureInfo.InvariantCulture;
        RunReport run = r.Run;
        o.WriteLine(string.Create(c,
            $"{r.Command}: {r.Layers.Count} BN layer(s) of the {r.Subject} recalibrated ({run.Estimator}) from {run.SamplesUsed} samples in {run.Batches} batch(es) of {run.BatchSize}, {run.Ranks} rank(s), {run.DurationSeconds:F2} s"));
        if (r.LargestMeanShiftInOldStd is { } shift)
            o.WriteLine(string.Create(c, $"  largest mean shift: {shift.Layer}, {shift.Value:G4} old std"));
        if (r.LargestVarRelativeDrift is { } drift)
            o.WriteLine(string.Create(c, $"  largest variance drift: {drift.Layer}, {drift.Value:P2}"));
        if (r.Accuracy is { } a)
            o.WriteLine(string.Create(c, $"  {a.Label}: {a.Before:P2} -> {a.After:P2} ({a.Change * 100:+0.00;-0.00;0.00} points, {a.Samples} samples)"));
        foreach (string note in r.Notes)
            o.WriteLine($"  note: {note}");
        o.WriteLine($"  wrote {output} and {reportPath}");
    }
}
