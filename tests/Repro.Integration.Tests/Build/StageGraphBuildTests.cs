namespace Repro.Integration.Tests.Build;

/// <summary>
/// The MSBuild layer end to end: real `dotnet build` of a tiny experiment project, with the
/// stand-in CLI so that what is measured is the graph, the stamps, the cache and the log.
/// </summary>
[Collection("dotnet build")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class StageGraphBuildTests
{
    [Fact]
    public void FirstBuildRunsAllFourStagesSecondRunsNoneAndSaysWhy()
    {
        using var p = new ExperimentProject();
        var first = p.Build("Ema");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema" }, p.Runs);
        foreach (var target in new[] { "Train", "Recalibrate", "Checkpoint", "Ema" })
            Assert.Contains(ExperimentProject.ReproLines(first), l => l.StartsWith($"Repro: {target}: ran in ", StringComparison.Ordinal));
        Assert.True(File.Exists(p.Output("checkpoint", "model.pt")));
        Assert.True(File.Exists(Path.Combine(p.OutDir, "repro.lock.json")));

        var second = p.Build("Ema");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(4, p.Runs.Length);
        var lines = ExperimentProject.ReproLines(second);
        foreach (var target in new[] { "Train", "Recalibrate", "Checkpoint", "Ema" })
            Assert.Contains(lines, l => l.StartsWith($"Repro: {target}: up to date (key ", StringComparison.Ordinal) && l.EndsWith("unchanged, outputs match the lock record)", StringComparison.Ordinal));
    }

    [Fact]
    public void NumSamplesRerunsRecalibrateCheckpointAndEmaButNotTrain()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Ema").ExitCode);
        var r = p.Build("Ema", "NumSamples=128");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema", "precise-bn", "checkpoint", "ema" }, p.Runs);
        var lines = ExperimentProject.ReproLines(r);
        Assert.Contains("Repro: Recalibrate: to run (parameters changed: samples 256 → 128; not in the cache)", lines);
        Assert.Contains(lines, l => l.StartsWith("Repro: Train: up to date", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Repro: Checkpoint: to run (upstream precise-bn/model.safetensors changed", StringComparison.Ordinal));
    }

    [Fact]
    public void RecalibrateAloneStopsThere()
    {
        using var p = new ExperimentProject();
        var r = p.Build("Recalibrate");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "train", "precise-bn" }, p.Runs);
        Assert.Equal(0, p.Build("PreciseBn").ExitCode);
        Assert.Equal(2, p.Runs.Length);
    }

    [Fact]
    public void DeletedOutputsComeBackFromTheCacheWithoutRecomputing()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Ema").ExitCode);
        string published = File.ReadAllText(p.Output("checkpoint", "model.pt"));
        Directory.Delete(p.OutDir, recursive: true);
        var r = p.Build("Ema");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(4, p.Runs.Length);
        Assert.Equal(4, ExperimentProject.ReproLines(r).Count(l => l.Contains(": restored from cache (")));
        Assert.Equal(published, File.ReadAllText(p.Output("checkpoint", "model.pt")));
    }

    [Fact]
    public void ACorruptCacheEntryIsRebuiltWithAWarning()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Train").ExitCode);
        foreach (var obj in Directory.GetFiles(Path.Combine(p.CacheDir, "objects"), "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(obj, new string('#', (int)new FileInfo(obj).Length));
        }
        File.Delete(p.Output("train", "model.safetensors"));
        var r = p.Build("Train");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.NotEmpty(ExperimentProject.Warnings(r, "REPRO1202"));
        Assert.Contains(p.ExperimentPath, ExperimentProject.Warnings(r, "REPRO1202")[0]);
        Assert.Equal(new[] { "train", "train" }, p.Runs);
        // Rebuilt: the next build restores cleanly.
        File.Delete(p.Output("train", "model.safetensors"));
        var again = p.Build("Train");
        Assert.Empty(ExperimentProject.Warnings(again, "REPRO1202"));
        Assert.Equal(2, p.Runs.Length);
    }

    [Fact]
    public void AFailingStageGivesACodedErrorAndLeavesNoCacheEntry()
    {
        using var p = new ExperimentProject();
        File.WriteAllText(Path.Combine(p.Root, "bad-images.idx"), "not an IDX file");
        p.Edit(j => j.Replace("synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1", "idx:bad-images.idx"));
        var r = p.Build("Recalibrate");
        Assert.NotEqual(0, r.ExitCode);
        var error = Assert.Single(ExperimentProject.Errors(r, "REPRO1102"));
        Assert.StartsWith(p.ExperimentPath + " : error REPRO1102: Recalibrate: `repro precise-bn` failed: --data idx:bad-images.idx", error);
        Assert.Single(Directory.GetFiles(Path.Combine(p.CacheDir, "stages"))); // Train's
        Assert.False(File.Exists(p.Output("precise-bn", "model.safetensors")));
    }

    [Fact]
    public void AMissingDataPathIsBadInputBeforeAnythingRuns()
    {
        using var p = new ExperimentProject();
        p.Edit(j => j.Replace("synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1", "idx:no/such/images.idx"));
        var r = p.Build("Recalibrate");
        Assert.NotEqual(0, r.ExitCode);
        var error = Assert.Single(ExperimentProject.Errors(r, "REPRO1001"));
        Assert.Contains("data.train 'idx:no/such/images.idx'", error);
        Assert.Empty(p.Runs);
        Assert.False(Directory.Exists(Path.Combine(p.CacheDir, "stages")));
    }

    [Fact]
    public void TwoBuildsAtOnceOnOneCacheBothSucceed()
    {
        using var a = new ExperimentProject();
        using var b = new ExperimentProject(cacheDir: a.CacheDir);
        Assert.Equal(0, a.Build("Restore").ExitCode);
        Assert.Equal(0, b.Build("Restore").ExitCode);
        var results = new ProcessResult[2];
        Parallel.For(0, 2, i => results[i] = (i == 0 ? a : b).Build("Ema"));
        Assert.True(results[0].ExitCode == 0, results[0].ToString());
        Assert.True(results[1].ExitCode == 0, results[1].ToString());
        Assert.Equal(4, a.Runs.Length + b.Runs.Length); // every stage computed once, by one of them
        Assert.Equal(File.ReadAllText(a.Output("ema", "model.safetensors")), File.ReadAllText(b.Output("ema", "model.safetensors")));
    }

    [Fact]
    public void DryRunListsEachStageWithItsReasonAndRunsNothing()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Recalibrate").ExitCode);
        File.Delete(p.Output("precise-bn", "report.json"));
        var r = p.Build("Ema", "ReproDryRun=true", "NumSamples=128");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = ExperimentProject.ReproLines(r);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Repro [dry run] Train: up to date (key ", lines[0]);
        Assert.Equal("Repro [dry run] Recalibrate: to run (parameters changed: samples 256 → 128; not in the cache)", lines[1]);
        Assert.Equal("Repro [dry run] Checkpoint: to run (after Recalibrate runs: its model.safetensors decides the key)", lines[2]);
        Assert.Equal("Repro [dry run] Ema: to run (not in repro.lock.json; not in the cache)", lines[3]);
        Assert.Equal(2, p.Runs.Length);
        Assert.False(File.Exists(p.Output("precise-bn", "report.json")));

        var restore = p.Build("Recalibrate", "ReproDryRun=true");
        Assert.Contains("Repro [dry run] Recalibrate: restore from cache (outputs missing: report.json; cached as ", ExperimentProject.ReproLines(restore)[1]);
    }

    [Fact]
    public void CleanRemovesOutputsButNeverTheCache()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Ema").ExitCode);
        int cached = Directory.GetFiles(p.CacheDir, "*", SearchOption.AllDirectories).Length;
        var r = p.Build("Clean");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(Directory.Exists(Path.Combine(p.OutDir, "train")));
        Assert.False(File.Exists(Path.Combine(p.OutDir, "repro.lock.json")));
        Assert.Equal(cached, Directory.GetFiles(p.CacheDir, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void ACommentOrDescriptionEditRerunsNothing()
    {
        using var p = new ExperimentProject();
        Assert.Equal(0, p.Build("Ema").ExitCode);
        p.Edit(j => "// tuned on 2026-12-04\n" + j.Replace("\"description\": \"", "\"description\": \"(edited) "));
        var r = p.Build("Ema");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(4, p.Runs.Length);
    }
}
