using Repro.Runtime.Calibration;

namespace Repro.Bench.Figures;

/// <summary>
/// Figure 6: recalibration time should be linear in S (one forward per batch, constant work per
/// batch after). Reported as seconds per 1000 samples, and the ratio of that rate at the largest S
/// to the smallest: 1.0 is linear.
/// </summary>
public static class ScaleFigure
{
    public static readonly long[] SampleCounts = [2048, 8192, 32768];
    public const int BatchSize = 256;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        using var model = ctx.LoadModel();
        var perThousand = new Dictionary<long, Timing>();
        foreach (long s in SampleCounts)
        {
            var t = Timing.Measure(1, ctx.Repetitions, () => PreciseBn.Recalibrate(model, ctx.Batches(s, BatchSize)));
            perThousand[s] = t;
            yield return BenchRow.FromTiming("6", $"precise BN, S={s}", t, detail: $"B={BatchSize}; {1000 * t.Median / s:F4} s per 1000 samples");
        }
        long lo = SampleCounts[0], hi = SampleCounts[^1];
        double rate(long s) => perThousand[s].Median / s;
        yield return new BenchRow("6", $"time per sample, S={hi} ÷ S={lo}", rate(hi) / rate(lo), "×",
            Target: TargetKind.AtMost, TargetValue: 1.10, Detail: "1.0 is linear");
    }
}
