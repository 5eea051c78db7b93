namespace Repro.Bench.Figures;

/// <summary>
/// Figure 5: peak RSS of a whole `repro precise-bn` process at S = 2048 and S = 16384, same data
/// file and batch size. Statistics are per channel and every batch is disposed, so memory must
/// not grow with S.
///
/// Why repeated and paired: the batch loop's activations (≈370 MB allocated per batch, none
/// outliving it) are served from glibc's heap, which fragments differently from run to run.
/// Measured on the default model (2 threads, B=256): one command's peak RSS spread over 441–522 MiB
/// at S=2048 and 441–541 MiB at S=16384 (σ ≈ 25 MiB, 5 % of the figure), while with glibc forced to
/// mmap every block (no reuse, twice the CPU time in page faults) it was the same at any S to
/// 0.5 MiB. One run per side made the verdict a coin toss, so the sides alternate
/// (2048, 16384, 2048, …) and the figure is the median of the per-pair ratios.
/// </summary>
public static class MemoryFigure
{
    public const int BatchSize = 256;
    public const long SmallSamples = 2048, LargeSamples = 16384;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        var small = new List<double>();
        var large = new List<double>();
        for (int i = 0; i < ctx.Repetitions; i++)
        {
            small.Add(PeakRssMiB(ctx, SmallSamples));
            large.Add(PeakRssMiB(ctx, LargeSamples));
        }
        var paired = PairedTiming.Of(large, small);
        yield return Row($"peak RSS, S={SmallSamples}", paired.B);
        yield return Row($"peak RSS, S={LargeSamples}", paired.A);
        yield return BenchRow.Ratio("5", $"peak RSS, S={LargeSamples} ÷ S={SmallSamples}", paired.Ratio, TargetKind.AtMost, 1.05, $"B={BatchSize}");
    }

    private static BenchRow Row(string name, Timing t) =>
        new("5", name, t.Median, "MiB", t.Min, t.Max, Detail: $"B={BatchSize}, whole process; median of {t.Repetitions}");

    private static double PeakRssMiB(BenchContext ctx, long samples)
    {
        string output = Path.Combine(ctx.WorkDir, $"memory-{samples}.safetensors");
        string report = Path.Combine(ctx.WorkDir, $"memory-{samples}.json");
        var run = BenchProcess.Repro(ctx,
            $"precise-bn --checkpoint \"{ctx.CheckpointPath}\" --data \"{ctx.DataSpec}\" --samples {samples} --batch-size {BatchSize} " +
            $"--threads {ctx.Threads} --out \"{output}\" --report \"{report}\"", measureMemory: true)
            .EnsureSuccess($"repro precise-bn --samples {samples}");
        return (run.PeakRssKiB ?? throw new InvalidOperationException("GNU time reported no peak RSS")) / 1024.0;
    }
}
