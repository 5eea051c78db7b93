using Microsoft.Build.Framework;
using Repro.Pipeline.Stages;

namespace Repro.Tasks.Tests;

public class ReproStageTaskTests
{
    private static bool RunAll(TaskFixture f, MockBuildEngine engine, Action<ReproStageTask>? set = null)
    {
        foreach (ReproStageTask t in new ReproStageTask[] { f.Stage<ReproTrain>(engine), f.Stage<ReproPreciseBn>(engine), f.Stage<ReproCheckpoint>(engine), f.Stage<ReproEma>(engine) })
        {
            set?.Invoke(t);
            if (!t.Execute()) return false;
        }
        return true;
    }

    [Fact]
    public void RunsEachStageOnceThroughTheCliThenIsUpToDate()
    {
        using var f = new TaskFixture();
        var engine = new MockBuildEngine();
        Assert.True(RunAll(f, engine), engine.Log);
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema" }, f.Runs);
        Assert.True(File.Exists(Path.Combine(f.OutputDir, "checkpoint", "model.pt")));
        Assert.Contains(engine.Messages, m => m.Importance == MessageImportance.Normal && m.Message!.StartsWith("fake repro ema: done", StringComparison.Ordinal));
        Assert.Contains(engine.HighMessages, m => m.StartsWith("Repro: Recalibrate: ran in ", StringComparison.Ordinal));

        var again = new MockBuildEngine();
        Assert.True(RunAll(f, again), again.Log);
        Assert.Equal(4, f.Runs.Length);
        Assert.Equal(4, again.HighMessages.Count(m => m.Contains(": up to date (key ")));
    }

    [Fact]
    public void TheBuildSummaryRecordsWhatThisBuildDidWithEachStage()
    {
        using var f = new TaskFixture();
        string summary = Path.Combine(f.Root, "summary.json");
        var engine = new MockBuildEngine();
        Assert.True(RunAll(f, engine, t => t.BuildSummaryFile = summary), engine.Log);
        Assert.Equal(new[] { ("train", "Ran"), ("precise-bn", "Ran"), ("checkpoint", "Ran"), ("ema", "Ran") },
            Repro.Pipeline.Stages.BuildSummary.Read(summary).Select(e => (e.Stage, e.Outcome)));

        // A second build: MSBuild skips the run targets of up-to-date stages, so the plan task records them.
        File.Delete(summary);
        Assert.True(f.Plan("Train", new MockBuildEngine(), t => t.BuildSummaryFile = summary).Execute());
        var entry = Assert.Single(Repro.Pipeline.Stages.BuildSummary.Read(summary));
        Assert.Equal(("train", "Train", "UpToDate", "tiny"), (entry.Stage, entry.Target, entry.Outcome, entry.Experiment));
        Assert.Equal(Path.GetFullPath(f.OutputDir), entry.OutputDirectory);
        Assert.Matches("^[0-9a-f]{64}$", entry.Key);

        // Outputs gone but cached: the stage task restores and says so.
        Directory.Delete(f.OutputDir, recursive: true);
        Assert.True(f.Stage<ReproTrain>(new MockBuildEngine(), t => t.BuildSummaryFile = summary).Execute());
        Assert.Equal("Restored", Assert.Single(Repro.Pipeline.Stages.BuildSummary.Read(summary)).Outcome);
        Assert.Equal(4, f.Runs.Length);
    }

    [Fact]
    public void TheCliRunsInTheExperimentFolderWithDotnetWhenGivenADll()
    {
        using var f = new TaskFixture();
        var task = f.Stage<ReproPreciseBn>(new MockBuildEngine(), t => t.CliPath = "/opt/repro/repro.dll");
        var invocation = new StageInvocation(ExperimentPipeline.Create(Repro.Pipeline.Experiments.ExperimentDefinition.Load(f.ExperimentPath), Repro.Pipeline.Experiments.PipelineOverrides.None)[StageName.PreciseBn],
            new[] { "precise-bn", "--out", "/tmp/a b/model.safetensors", "--data", "say \"hi\"" }, f.Root, "/tmp/a b");
        Assert.Equal("exec /opt/repro/repro.dll precise-bn --out \"/tmp/a b/model.safetensors\" --data \"say \\\"hi\\\"\"", task.CommandLineFor(invocation));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("tail\\", "tail\\")]
    [InlineData("a b\\", "\"a b\\\\\"")]
    public void QuotesLikeTheWindowsRulesDotnetParsesWith(string arg, string quoted) => Assert.Equal(quoted, ReproStageTask.Quote(arg));

    [Fact]
    public void CliBadInputBecomesREPRO1102AtTheExperimentAndStoresNothing()
    {
        using var f = new TaskFixture();
        // The file exists (so the key can be computed) but is no dataset: the CLI rejects it.
        File.WriteAllText(Path.Combine(f.Root, "bad-images.idx"), "not an IDX file");
        File.WriteAllText(f.ExperimentPath, File.ReadAllText(f.ExperimentPath).Replace("synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1", "idx:bad-images.idx"));
        var engine = new MockBuildEngine();
        Assert.True(f.Stage<ReproTrain>(engine).Execute(), engine.Log);
        var pb = f.Stage<ReproPreciseBn>(engine);
        Assert.False(pb.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("REPRO1102", error.Code);
        Assert.Equal(f.ExperimentPath, error.File);
        Assert.Equal("Recalibrate: `repro precise-bn` failed: --data idx:bad-images.idx: not a readable data source", error.Message);
        Assert.Single(Directory.GetFiles(Path.Combine(f.CacheDir, "stages"))); // train's entry only
        Assert.False(File.Exists(Path.Combine(f.OutputDir, "precise-bn", "model.safetensors")));
    }

    [Fact]
    public void CliFailureBecomesREPRO1101()
    {
        using var f = new TaskFixture();
        File.WriteAllText(f.ExperimentPath, File.ReadAllText(f.ExperimentPath).Replace("\"schedule\": \"cosine\"", "\"schedule\": \"fail-training\""));
        var engine = new MockBuildEngine();
        Assert.False(f.Stage<ReproTrain>(engine).Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("REPRO1101", error.Code);
        Assert.Equal("Train: `repro train` failed: training diverged", error.Message);
        Assert.False(Directory.Exists(Path.Combine(f.CacheDir, "stages")));
    }

    [Fact]
    public void RestoresDeletedOutputsWithoutRunningTheCli()
    {
        using var f = new TaskFixture();
        Assert.True(RunAll(f, new MockBuildEngine()));
        Directory.Delete(f.OutputDir, recursive: true);
        var engine = new MockBuildEngine();
        Assert.True(RunAll(f, engine), engine.Log);
        Assert.Equal(4, f.Runs.Length);
        Assert.Equal(4, engine.HighMessages.Count(m => m.Contains(": restored from cache (")));
    }

    [Fact]
    public void CorruptCacheEntryIsAWarningAndTheStageReruns()
    {
        using var f = new TaskFixture();
        Assert.True(RunAll(f, new MockBuildEngine()));
        foreach (var obj in Directory.GetFiles(Path.Combine(f.CacheDir, "objects"), "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(obj, new string('x', (int)new FileInfo(obj).Length));
        }
        Directory.Delete(Path.Combine(f.OutputDir, "train"), recursive: true);
        var engine = new MockBuildEngine();
        Assert.True(f.Stage<ReproTrain>(engine).Execute(), engine.Log);
        Assert.Equal("REPRO1202", Assert.Single(engine.Warnings).Code);
        Assert.Equal(f.ExperimentPath, engine.Warnings[0].File);
        Assert.Equal(5, f.Runs.Length);
    }

    [Fact]
    public void TwoBuildsOnOneCacheBothSucceed()
    {
        using var f = new TaskFixture();
        using var g = new TaskFixture();
        var engines = new[] { new MockBuildEngine(), new MockBuildEngine() };
        var ok = new bool[2];
        Parallel.For(0, 2, i =>
        {
            var fixture = i == 0 ? f : g;
            ok[i] = RunAll(fixture, engines[i], t =>
            {
                t.CacheDir = f.CacheDir;
                t.EnvironmentVariables = new[] { "FAKE_REPRO_LOG=" + f.RunLog, "FAKE_REPRO_SLEEP=0.3" };
            });
        });
        Assert.True(ok[0], engines[0].Log);
        Assert.True(ok[1], engines[1].Log);
        Assert.Equal(4, f.Runs.Length); // each stage computed once; the other build waited and restored
    }
}
