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
        var apart = TwoApart(ctx);
        string what = $"S={Samples}, B={BatchSize}";
        yield return BenchRow.FromTiming("3", "1 rank × 1 thread", oneByOne.Duration, detail: what);
        yield return BenchRow.FromTiming("3", "2 ranks × 1 thread", twoByOne.Duration, detail: what);
        yield return BenchRow.FromTiming("3", "1 rank × 2 threads", oneByTwo.Duration, detail: what);
        yield return new BenchRow("3", "parallel efficiency: (1×1) ÷ (2×1)", oneByOne.Duration.Median / twoByOne.Duration.Median, "×",
            Target: TargetKind.AtLeast, TargetValue: 1.8, Detail: "ideal 2.0");
        // What the machine itself allows: the same two halves as two unrelated processes at once, no MPI.
        // Two cores that share caches, memory bandwidth and a hypervisor slow each other down; ranks cannot beat that.
        yield return BenchRow.FromTiming("3", "2 independent 1-rank runs over S/2 at once (no MPI)", apart, detail: what + "; the slower of the two");
        yield return new BenchRow("3", "machine's own ceiling: (1×1) ÷ (2 independent at once)", oneByOne.Duration.Median / apart.Median, "×",
            Detail: "the best any 2-rank run can do here");
        yield return new BenchRow("3", "2 ranks ÷ 2 independent runs (MPI's own cost)", twoByOne.Duration.Median / apart.Median, "×",
            Detail: "1.0: ranks cost nothing beyond what the machine imposes");
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

    /// <summary>Two 1-rank, 1-thread runs over <see cref="Samples"/>/2 each, started together; per repetition the slower one's recalibration time.</summary>
    private static Timing TwoApart(BenchContext ctx)
    {
        var durations = new List<double>();
        for (int i = 0; i < ctx.Repetitions; i++)
        {
            var halves = Enumerable.Range(0, 2).Select(half => Task.Run(() =>
            {
                string output = Path.Combine(ctx.WorkDir, $"ranks-apart-{half}.safetensors");
                string report = Path.Combine(ctx.WorkDir, $"ranks-apart-{half}.json");
                BenchProcess.Repro(ctx,
                    $"precise-bn --checkpoint \"{ctx.CheckpointPath}\" --data \"{ctx.DataSpec}\" --samples {Samples / 2} --batch-size {BatchSize} " +
                    $"--threads 1 --ranks 1 --out \"{output}\" --report \"{report}\"")
                    .EnsureSuccess("repro precise-bn (one of two at once)");
                return JObject.Parse(File.ReadAllText(report))["run"]!.Value<double>("durationSeconds");
            })).ToArray();
            Task.WaitAll(halves);
            durations.Add(halves.Max(h => h.Result));
        }
        return Timing.Of(durations);
    }

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
