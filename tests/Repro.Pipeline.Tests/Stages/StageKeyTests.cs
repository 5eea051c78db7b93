using Repro.Pipeline.Experiments;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests.Stages;

/// <summary>A stage key changes when, and only when, something its result depends on changes.</summary>
public class StageKeyTests
{
    private static string[] Keys(TempExperiment e, PipelineOverrides? o = null, string runtime = "repro 0.1.0; TorchSharp 0.107.0")
    {
        // Precise BN's key needs train's output; run the pipeline with the in-process fake so upstream hashes exist.
        var context = e.Context(o, runtime: runtime);
        var exec = new StageExecutor(context, new ListLog(), TimeSpan.FromSeconds(30));
        exec.Execute(StageName.Train, new FakeRunner());
        exec.Execute(StageName.PreciseBn, new FakeRunner());
        var plans = new PipelinePlanner(context).PlanThrough(StageName.Ema);
        return plans.Select(p => p.Key!).ToArray();
    }

    [Fact]
    public void KeysAreStableAcrossRuns()
    {
        using var e = new TempExperiment();
        Assert.Equal(Keys(e), Keys(e));
        Assert.All(Keys(e), k => Assert.Matches("^[0-9a-f]{64}$", k));
    }

    [Fact]
    public void CommentsWhitespaceKeyOrderAndDescriptionChangeNothing()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        e.Edit(j => "// a comment\n" + j
            .Replace("\"description\": \"", "\"description\": \"edited: ")
            .Replace("\"epochs\": 1,\n    \"batchSize\": 64,", "\"batchSize\": 64,   /* reordered */\n\n    \"epochs\": 1.0,")
            .Replace("\"lr\": 0.05", "\"lr\": 5e-2"));
        Assert.Equal(before, Keys(e));
    }

    [Fact]
    public void ThreadsAndDeviceIndexAreNotPartOfTheKey()
    {
        using var e = new TempExperiment();
        Assert.Equal(Keys(e), Keys(e, PipelineOverrides.FromStrings(threads: "7", device: "cpu")));
    }

    [Fact]
    public void SeedOfASequentialRecalibrationIsUnrelated()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        e.Edit(j => j.Replace("\"order\": \"sequential\",\n    \"seed\": 0", "\"order\": \"sequential\",\n    \"seed\": 5"));
        Assert.Equal(before, Keys(e));
        e.Edit(j => j.Replace("\"order\": \"sequential\"", "\"order\": \"shuffle\""));
        var shuffled = Keys(e);
        Assert.Equal(before[0], shuffled[0]);
        Assert.NotEqual(before[1], shuffled[1]);
    }

    [Fact]
    public void EditingTheEmaSectionTouchesOnlyEma()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        e.Edit(j => j.Replace("\"ema\": {\n    \"samples\": 256", "\"ema\": {\n    \"samples\": 128"));
        var after = Keys(e);
        Assert.Equal(before[..3], after[..3]);
        Assert.NotEqual(before[3], after[3]);
    }

    [Fact]
    public void NumSamplesChangesRecalibrationKeysButNotTrain()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        var after = Keys(e, PipelineOverrides.FromStrings(numSamples: "128"));
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        Assert.NotEqual(before[3], after[3]);
    }

    [Fact]
    public void ATrainingParameterChangesTrainAndThroughItsOutputsTheRest()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        var after = Keys(e, PipelineOverrides.FromStrings(seed: "9"));
        Assert.All(Enumerable.Range(0, 4), i => Assert.NotEqual(before[i], after[i]));
        e.Edit(j => j.Replace("\"lr\": 0.05", "\"lr\": 0.06"));
        Assert.NotEqual(before[0], Keys(e)[0]);
    }

    [Fact]
    public void AChangedUpstreamOutputChangesTheKey()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        // Same parameters, different training result (e.g. a nondeterministic kernel): downstream keys must move.
        File.WriteAllText(Path.Combine(e.OutputDir, "train", "model.safetensors"), "other weights");
        var plans = new PipelinePlanner(e.Context()).PlanThrough(StageName.PreciseBn);
        Assert.Equal(StageStatus.Restore, plans[0].Status);
        Assert.Contains("outputs changed since the lock record: model.safetensors", plans[0].Reason);
    }

    [Fact]
    public void UpstreamHashEntersTheKeyDocument()
    {
        using var e = new TempExperiment();
        Keys(e);
        var plan = new PipelinePlanner(e.Context()).Plan(StageName.PreciseBn);
        var doc = plan.Inputs!.KeyDocument();
        Assert.Equal(Repro.Pipeline.Hashing.ContentHash.OfFile(Path.Combine(e.OutputDir, "train", "model.safetensors")), (string)doc["upstream"]!["checkpoint"]!);
        Assert.Equal("precise-bn", (string)doc["stage"]!);
        Assert.Equal("cpu", (string)doc["device"]!);
    }

    [Fact]
    public void RuntimeVersionAndDataChangeEveryKeyThatUsesThem()
    {
        using var e = new TempExperiment();
        var before = Keys(e);
        Assert.NotEqual(before[0], Keys(e, runtime: "repro 0.2.0; TorchSharp 0.107.0")[0]);
        e.Edit(j => j.Replace("classes=10,seed=1", "classes=10,seed=3"));
        var after = Keys(e);
        Assert.NotEqual(before[0], after[0]);
    }

    [Fact]
    public void AnUpstreamRerunThatGivesTheSameBytesDoesNotRerunDownstream()
    {
        using var e = new TempExperiment();
        var runner = new FakeRunner();
        void RunAll()
        {
            var exec = new StageExecutor(e.Context(), new ListLog(), TimeSpan.FromSeconds(30));
            foreach (var s in StageName.All) exec.Execute(s, runner);
        }
        RunAll();
        // The fake's precise-bn output does not depend on the order, so the rerun reproduces the same bytes.
        e.Edit(j => j.Replace("\"order\": \"sequential\"", "\"order\": \"shuffle\""));
        RunAll();
        Assert.Equal(2, runner.Count("precise-bn"));
        Assert.Equal(2, runner.Count("ema"));
        Assert.Equal(1, runner.Count("checkpoint"));
    }
}
