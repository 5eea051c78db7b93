using Newtonsoft.Json.Linq;

namespace Repro.Bench.Figures;

/// <summary>
/// Figure 3: ranks over the same S. Each configuration is a whole `repro precise-bn` run; the
/// recalibration's own time comes from its report (run.durationSeconds: the batch loop, the
/// all-reduce and the estimate), so process start-up is measured apart, as the fixed cost.
/// </summary>
public static class RanksFigure
{
    public const long Samples = 8192;
    public const int BatchSize = 128;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        var oneByOne = Recalibrate(ctx, ranks: 1, threads: 1);
        var twoByOne = Recalibrate(ctx, ranks: 2, threads: 1);
        var oneByTwo = Recalibrate(ctx, ranks: 1, threads: 2);
        string what = $"S={Samples}, B={BatchSize}";
        yield return BenchRow.FromTiming("3", "1 rank × 1 thread", oneByOne.Duration, detail: what);
        yield return BenchRow.FromTiming("3", "2 ranks × 1 thread", twoByOne.Duration, detail: what);
        yield return BenchRow.FromTiming("3", "1 rank × 2 threads", oneByTwo.Duration, detail: what);
        yield return new BenchRow("3", "parallel efficiency: (1×1) ÷ (2×1)", oneByOne.Duration.Median / twoByOne.Duration.Median, "×",
            Target: TargetKind.AtLeast, TargetValue: 1.8, Detail: "ideal 2.0");
        yield return new BenchRow("3", "(1 rank × 2 threads) ÷ (2 ranks × 1 thread)", oneByTwo.Duration.Median / twoByOne.Duration.Median, "×",
            Detail: "above 1: ranks beat threads");
        yield return twoByOne.ReductionShare is double share
            ? new BenchRow("3", "all-reduce share of the 2-rank time", 100 * share, "%")
            : BenchRow.NotMeasured("3", "all-reduce share of the 2-rank time", "the report has no run.reductionSeconds");
        var startup = Timing.Measure(1, ctx.Repetitions, () =>
            BenchProcess.Repro(ctx, "mpi-check --ranks 2").EnsureSuccess("repro mpi-check --ranks 2"));
        yield return BenchRow.FromTiming("3", "fixed cost of starting 2 ranks (mpirun + .NET + libtorch + MPI_Init)", startup,
            detail: "`repro mpi-check --ranks 2`, wall");
    }

    private sealed record RankRun(Timing Duration, double? ReductionShare);

    private static RankRun Recalibrate(BenchContext ctx, int ranks, int threads)
    {
        var durations = new List<double>();
        var shares = new List<double>();
        string output = Path.Combine(ctx.WorkDir, $"ranks-{ranks}x{threads}.safetensors");
        string report = Path.Combine(ctx.WorkDir, $"ranks-{ranks}x{threads}.json");
        for (int i = 0; i < ctx.Repetitions; i++)
        {
            BenchProcess.Repro(ctx,
                $"precise-bn --checkpoint \"{ctx.CheckpointPath}\" --data \"{ctx.DataSpec}\" --samples {Samples} --batch-size {BatchSize} " +
                $"--threads {threads} --ranks {ranks} --out \"{output}\" --report \"{report}\"")
                .EnsureSuccess($"repro precise-bn --ranks {ranks} --threads {threads}");
            var run = JObject.Parse(File.ReadAllText(report))["run"]!;
            double duration = run.Value<double>("durationSeconds");
            durations.Add(duration);
            if (run["reductionSeconds"] is JToken r && r.Type != JTokenType.Null)
                shares.Add(r.Value<double>() / duration);
        }
        return new RankRun(Timing.Of(durations), shares.Count > 0 ? Timing.Of(shares).Median : null);
    }
}
