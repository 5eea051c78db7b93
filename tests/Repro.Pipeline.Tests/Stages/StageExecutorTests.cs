using Newtonsoft.Json.Linq;
using Repro.Pipeline.Experiments;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests.Stages;

public class StageExecutorTests
{
    private static Dictionary<string, StageOutcome> RunAll(TempExperiment e, FakeRunner runner, ListLog log, PipelineOverrides? o = null, string? outputDir = null)
    {
        var context = e.Context(o, outputDir);
        var exec = new StageExecutor(context, log, TimeSpan.FromSeconds(60));
        return StageName.All.ToDictionary(s => s.Id, s => exec.Execute(s, runner).Outcome);
    }

    [Fact]
    public void FirstRunRunsAllSecondRunsNoneAndSaysWhy()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        var first = RunAll(e, runner, new ListLog());
        Assert.All(first.Values, o => Assert.Equal(StageOutcome.Ran, o));
        var log = new ListLog();
        var second = RunAll(e, runner, log);
        Assert.All(second.Values, o => Assert.Equal(StageOutcome.UpToDate, o));
        Assert.Equal(4, runner.Runs.Count);
        Assert.Contains(log.Lines, l => l.StartsWith("Recalibrate: up to date (key ", StringComparison.Ordinal) && l.EndsWith("unchanged, outputs match the lock record)", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLockRecordCarriesTheResultsDigestOfJsonOutputs()
    {
        using var e = new TempExperiment();
        RunAll(e, new FakeRunner(), new ListLog());
        var outputs = JObject.Parse(File.ReadAllText(Path.Combine(e.OutputDir, "repro.lock.json")))["stages"]!["precise-bn"]!["outputs"]!;
        Assert.Equal(ContentHash.OfText("{\"samples\":256}"), (string?)outputs["report.json"]!["resultsSha256"]);
        Assert.Null(outputs["model.safetensors"]!["resultsSha256"]);
    }

    [Fact]
    public void NumSamplesReRunsRecalibrateCheckpointAndEmaButNotTrain()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        RunAll(e, runner, new ListLog());
        var log = new ListLog();
        var outcome = RunAll(e, runner, log, PipelineOverrides.FromStrings(numSamples: "128"));
        Assert.Equal(StageOutcome.UpToDate, outcome["train"]);
        Assert.Equal(StageOutcome.Ran, outcome["precise-bn"]);
        Assert.Equal(StageOutcome.Ran, outcome["checkpoint"]);
        Assert.Equal(StageOutcome.Ran, outcome["ema"]);
        Assert.Equal(1, runner.Count("train"));
        Assert.Contains(log.Lines, l => l.Contains("parameters changed: samples 256 → 128"));
        Assert.Contains(log.Lines, l => l.Contains("upstream precise-bn/model.safetensors changed"));
    }

    [Fact]
    public void DeletedOutputsComeBackFromTheCacheWithoutRunning()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        RunAll(e, runner, new ListLog());
        string model = Path.Combine(e.OutputDir, "checkpoint", "model.pt");
        string before = File.ReadAllText(model);
        Directory.Delete(Path.Combine(e.OutputDir, "checkpoint"), recursive: true);
        File.Delete(Path.Combine(e.OutputDir, "train", "model.safetensors"));
        var log = new ListLog();
        var outcome = RunAll(e, runner, log);
        Assert.Equal(StageOutcome.Restored, outcome["train"]);
        Assert.Equal(StageOutcome.UpToDate, outcome["precise-bn"]);
        Assert.Equal(StageOutcome.Restored, outcome["checkpoint"]);
        Assert.Equal(4, runner.Runs.Count);
        Assert.Equal(before, File.ReadAllText(model));
        Assert.Contains(log.Lines, l => l.StartsWith("Checkpoint: restored from cache (outputs missing: model.safetensors, model.pt", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEditedOutputIsReplacedByTheCachedOne()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        RunAll(e, runner, new ListLog());
        string report = Path.Combine(e.OutputDir, "ema", "report.json");
        string good = File.ReadAllText(report);
        File.Delete(report); // outputs are hard links to read-only cache objects: replace, don't write through
        File.WriteAllText(report, "{\"edited\":true}");
        var outcome = RunAll(e, runner, new ListLog());
        Assert.Equal(StageOutcome.Restored, outcome["ema"]);
        Assert.Equal(good, File.ReadAllText(report));
    }

    [Fact]
    public void ACorruptCacheEntryIsRebuiltWithAWarning()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        RunAll(e, runner, new ListLog());
        var context = e.Context();
        string key = new PipelinePlanner(context).Plan(StageName.Train).Key!;
        var entry = context.Cache.Find(key).Entry!;
        string obj = context.Cache.ObjectPath(entry.Outputs.Single(o => o.Name == "model.safetensors").Sha256);
        Directory.Delete(Path.Combine(e.OutputDir, "train"), recursive: true);
        File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(obj, "model seed=X"); // same size, wrong bytes
        var log = new ListLog();
        var outcome = RunAll(e, runner, log);
        Assert.Equal(StageOutcome.Ran, outcome["train"]);
        Assert.Equal(2, runner.Count("train"));
        var warning = Assert.Single(log.Warnings);
        Assert.Equal("REPRO1202", warning.Code);
        Assert.Contains("is damaged", warning.Message);
        // The rebuilt entry verifies again.
        Assert.False(context.Cache.Find(key).IsCorrupt);
        Assert.Equal(ContentHash.OfFile(Path.Combine(e.OutputDir, "train", "model.safetensors")), ContentHash.OfFile(context.Cache.ObjectPath(entry.Outputs.Single(o => o.Name == "model.safetensors").Sha256)));
    }

    [Fact]
    public void AFailedStageLeavesNoOutputAndNoCacheEntry()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner { Fail = inv => inv.Stage.Name == StageName.PreciseBn };
        var context = e.Context();
        var exec = new StageExecutor(context, new ListLog(), TimeSpan.FromSeconds(30));
        Assert.Equal(StageOutcome.Ran, exec.Execute(StageName.Train, runner).Outcome);
        var result = exec.Execute(StageName.PreciseBn, runner);
        Assert.Equal(StageOutcome.Failed, result.Outcome);
        Assert.False(File.Exists(Path.Combine(e.OutputDir, "precise-bn", "model.safetensors")));
        Assert.False(File.Exists(context.Cache.ManifestPath(result.Plan.Key!)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(e.OutputDir, ".repro", "staging")));
        Assert.Null(LockOf(e)["stages"]!["precise-bn"]);
    }

    [Fact]
    public void ACommandThatExitsZeroWithoutItsOutputsIsAnError()
    {
        using var e = new TempExperiment();
        var exec = new StageExecutor(e.Context(), new ListLog(), TimeSpan.FromSeconds(30));
        var lazy = new DelegateRunner(_ => true);
        var ex = Assert.Throws<StageOutputException>(() => exec.Execute(StageName.Train, lazy));
        Assert.Contains("did not write model.safetensors, ema.safetensors, metrics.json", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(e.CacheDir, "stages")) && Directory.GetFiles(Path.Combine(e.CacheDir, "stages")).Length > 0);
    }

    [Fact]
    public void TheLockRecordHoldsEveryStage()
    {
        using var e = new TempExperiment();
        RunAll(e, new FakeRunner(), new ListLog(), PipelineOverrides.FromStrings(threads: "2"));
        var lockRecord = LockOf(e);
        Assert.Equal("tiny", (string)lockRecord["experiment"]!);
        var stages = (JObject)lockRecord["stages"]!;
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema" }, stages.Properties().Select(p => p.Name));
        var pb = (JObject)stages["precise-bn"]!;
        Assert.Matches("^[0-9a-f]{64}$", (string)pb["key"]!);
        Assert.Equal(256, (int)pb["parameters"]!["samples"]!);
        Assert.Equal(ContentHash.OfFile(Path.Combine(e.OutputDir, "train", "model.safetensors")), (string)pb["upstream"]!["checkpoint"]!["sha256"]!);
        Assert.Equal(64, ((string)pb["data"]!["train"]!["fingerprint"]!).Length);
        Assert.Equal(ContentHash.OfFile(Path.Combine(e.OutputDir, "precise-bn", "model.safetensors")), (string)pb["outputs"]!["model.safetensors"]!["sha256"]!);
        Assert.Equal(2, (int)pb["execution"]!["threads"]!);
        Assert.Equal("auto", (string)pb["execution"]!["device"]!);
        Assert.Equal("repro 0.1.0; TorchSharp 0.107.0", (string)pb["tools"]!["runtime"]!);
        Assert.True((double)pb["durationSeconds"]! >= 0);
        Assert.Equal("run", (string)pb["source"]!);
    }

    [Fact]
    public void TwoWorkspacesOnOneCacheComputeEachStageOnce()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner { Delay = TimeSpan.FromMilliseconds(300) };
        var outcomes = new Dictionary<string, StageOutcome>[2];
        Parallel.For(0, 2, i => outcomes[i] = RunAll(e, runner, new ListLog(), outputDir: Path.Combine(e.Root, $"out{i}")));
        Assert.Equal(4, runner.Runs.Count);
        foreach (var s in StageName.All)
            Assert.Contains(StageOutcome.Ran, new[] { outcomes[0][s.Id], outcomes[1][s.Id] });
        Assert.Equal(
            File.ReadAllText(Path.Combine(e.Root, "out0", "ema", "model.safetensors")),
            File.ReadAllText(Path.Combine(e.Root, "out1", "ema", "model.safetensors")));
    }

    [Fact]
    public void DryRunPlanningKnowsDownstreamKeysWhenUpstreamRestores()
    {
        using var e = new TempExperiment();
        RunAll(e, new FakeRunner(), new ListLog());
        Directory.Delete(e.OutputDir, recursive: true);
        var plans = new PipelinePlanner(e.Context()).PlanThrough(StageName.Ema);
        Assert.All(plans, p => Assert.Equal(StageStatus.Restore, p.Status));
        Assert.All(plans, p => Assert.Contains("not in repro.lock.json", p.Reason));

        using var fresh = new TempExperiment();
        var freshPlans = new PipelinePlanner(fresh.Context()).PlanThrough(StageName.Ema);
        Assert.Equal("Train: to run (not in repro.lock.json; not in the cache)", freshPlans[0].Describe());
        Assert.Equal("Recalibrate: to run (after Train runs: its model.safetensors decides the key)", freshPlans[1].Describe());
        Assert.Null(freshPlans[3].Key);
    }

    [Fact]
    public void ADamagedLockRecordIsAWarningAndIsRewritten()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        RunAll(e, runner, new ListLog());
        File.WriteAllText(Path.Combine(e.OutputDir, "repro.lock.json"), "{ \"schema\": 1, \"stages\": {");
        var log = new ListLog();
        var outcome = RunAll(e, runner, log);
        Assert.All(outcome.Values, o => Assert.Equal(StageOutcome.Restored, o)); // unrecorded, but cached: nothing recomputes
        Assert.Equal(4, runner.Runs.Count);
        var warning = Assert.Single(log.Warnings);
        Assert.Equal("REPRO1204", warning.Code);
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema" }, ((JObject)LockOf(e)["stages"]!).Properties().Select(p => p.Name));
    }

    private static JObject LockOf(TempExperiment e) => JObject.Parse(File.ReadAllText(Path.Combine(e.OutputDir, "repro.lock.json")));

    private sealed class DelegateRunner : IStageRunner
    {
        private readonly Func<StageInvocation, bool> _run;
        public DelegateRunner(Func<StageInvocation, bool> run) => _run = run;
        public bool Run(StageInvocation invocation, CancellationToken cancellationToken) => _run(invocation);
    }
}
