namespace Repro.Bench.Figures;

/// <summary>
/// Figure 5: peak RSS of a whole `repro precise-bn` process at S = 2048 and S = 16384, same data
/// file and batch size. Statistics are per channel and every batch is disposed, so memory must
/// not grow with S.
/// </summary>
public static class MemoryFigure
{
    public const int BatchSize = 256;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        long small = PeakRss(ctx, 2048), large = PeakRss(ctx, 16384);
        yield return new BenchRow("5", "peak RSS, S=2048", small / 1024.0, "MiB", Detail: $"B={BatchSize}, whole process");
        yield return new BenchRow("5", "peak RSS, S=16384", large / 1024.0, "MiB", Detail: $"B={BatchSize}, whole process");
        yield return new BenchRow("5", "peak RSS, S=16384 ÷ S=2048", (double)large / small, "×", Target: TargetKind.AtMost, TargetValue: 1.05);
    }

    private static long PeakRss(BenchContext ctx, long samples)
    {
        string output = Path.Combine(ctx.WorkDir, $"memory-{samples}.safetensors");
        string report = Path.Combine(ctx.WorkDir, $"memory-{samples}.json");
        var run = BenchProcess.Repro(ctx,
            $"precise-bn --checkpoint \"{ctx.CheckpointPath}\" --data \"{ctx.DataSpec}\" --samples {samples} --batch-size {BatchSize} " +
            $"--threads {ctx.Threads} --out \"{output}\" --report \"{report}\"", measureMemory: true)
            .EnsureSuccess($"repro precise-bn --samples {samples}");
        return run.PeakRssKiB ?? throw new InvalidOperationException("GNU time reported no peak RSS");
    }
}
