namespace Repro.Tasks.Tests;

public class ReproPlanStageTests
{
    [Fact]
    public void FreshExperimentPlansToRunAndSaysWhy()
    {
        using var f = new TaskFixture();
        var engine = new MockBuildEngine();
        var plan = f.Plan("Train", engine);
        Assert.True(plan.Execute(), engine.Log);
        Assert.Equal("Run", plan.Status);
        Assert.Matches("^[0-9a-f]{64}$", plan.Key);
        Assert.Equal(new[] { "model.safetensors", "ema.safetensors", "metrics.json" }, plan.OutputFiles.Select(i => Path.GetFileName(i.ItemSpec)));
        Assert.Contains("Repro: Train: to run (not in repro.lock.json; not in the cache)", engine.HighMessages);
    }

    [Fact]
    public void DryRunLinesAreMarked()
    {
        using var f = new TaskFixture();
        var engine = new MockBuildEngine();
        Assert.True(f.Plan("PreciseBn", engine, t => t.DryRun = true).Execute());
        Assert.Contains("Repro [dry run] Recalibrate: to run (after Train runs: its model.safetensors decides the key)", engine.HighMessages);
    }

    [Fact]
    public void BadInputIsACodedErrorAtTheExperimentFile()
    {
        using var f = new TaskFixture();
        File.WriteAllText(f.ExperimentPath, File.ReadAllText(f.ExperimentPath).Replace("synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1", "idx:missing-images.idx"));
        var engine = new MockBuildEngine();
        Assert.False(f.Plan("Train", engine).Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("REPRO1001", error.Code);
        Assert.Equal(f.ExperimentPath, error.File);
        Assert.Contains("data.train", error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void BadPropertyNamesTheProperty()
    {
        using var f = new TaskFixture();
        var engine = new MockBuildEngine();
        Assert.False(f.Plan("Train", engine, t => t.Estimator = "median").Execute());
        Assert.Equal("Estimator 'median': unknown estimator; use population or mean-of-batch-var.", Assert.Single(engine.Errors).Message);
    }

    [Fact]
    public void AnApphostCliWithoutAVersionIsRejected()
    {
        using var f = new TaskFixture();
        var engine = new MockBuildEngine();
        Assert.False(f.Plan("Train", engine, t => t.RuntimeVersion = null).Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("REPRO1001", error.Code);
        Assert.Contains("ReproCliPath", error.Message);
    }
}
