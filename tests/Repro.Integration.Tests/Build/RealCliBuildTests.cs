namespace Repro.Integration.Tests.Build;

/// <summary>
/// The stage graph with the real `repro` CLI (libtorch in the child process only) on the tiny
/// synthetic experiment: one epoch of a width-4 ResNet on 256 images, so each build takes seconds.
/// </summary>
[Collection("dotnet build")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class RealCliBuildTests
{
    private static void AssertStages(ProcessResult r, string verb, params string[] targets)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = ExperimentProject.ReproLines(r);
        foreach (var t in targets)
            Assert.Contains(lines, l => l.StartsWith($"Repro: {t}: {verb}", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsOnceThenIsANoOpThenRerunsOnlyWhatNumSamplesTouchesThenRestoresDeletedOutputs()
    {
        using var p = new ExperimentProject(realCli: true);
        var first = p.Build("Ema");
        AssertStages(first, "ran in ", "Train", "Recalibrate", "Checkpoint", "Ema");
        string published = Path.Combine(p.OutDir, "checkpoint", "model.pt");
        Assert.True(File.Exists(published));
        var lockRecord = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(Path.Combine(p.OutDir, "repro.lock.json")));
        Assert.StartsWith("repro ", (string)lockRecord["stages"]!["train"]!["runtime"]!);
        Assert.Equal("cpu", (string)lockRecord["stages"]!["train"]!["device"]!);

        var second = p.Build("Ema");
        AssertStages(second, "up to date (key ", "Train", "Recalibrate", "Checkpoint", "Ema");
        Assert.DoesNotContain("ran in", second.StdOut);

        var fewer = p.Build("Ema", "NumSamples=128");
        AssertStages(fewer, "up to date", "Train");
        AssertStages(fewer, "ran in ", "Recalibrate", "Checkpoint", "Ema");

        string ptBefore = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(published)));
        Directory.Delete(p.OutDir, recursive: true);
        var restored = p.Build("Ema", "NumSamples=128");
        AssertStages(restored, "restored from cache (", "Train", "Recalibrate", "Checkpoint", "Ema");
        Assert.Equal(ptBefore, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(published))));
    }

    [Fact]
    public void AnUnreadableDatasetFailsTheStageWithACodeAndCachesNothing()
    {
        using var p = new ExperimentProject(realCli: true);
        File.WriteAllText(Path.Combine(p.Root, "bad-images.idx"), "not an IDX file");
        p.Edit(j => j.Replace("synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1", "idx:bad-images.idx"));
        var r = p.Build("Train");
        Assert.NotEqual(0, r.ExitCode);
        var error = Assert.Single(ExperimentProject.Errors(r, "REPRO1102"));
        Assert.StartsWith(p.ExperimentPath + " : error REPRO1102: Train: `repro train` failed: ", error);
        Assert.Contains("bad-images.idx", error);
        Assert.False(Directory.Exists(Path.Combine(p.CacheDir, "stages")) && Directory.EnumerateFiles(Path.Combine(p.CacheDir, "stages")).Any());
        Assert.False(File.Exists(p.Output("train", "model.safetensors")));
    }

    [Fact]
    public void TwoBuildsAtOnceOnOneCacheBothSucceedAndAgree()
    {
        using var a = new ExperimentProject(realCli: true);
        using var b = new ExperimentProject(cacheDir: a.CacheDir, realCli: true);
        Assert.Equal(0, a.Build("Restore").ExitCode);
        Assert.Equal(0, b.Build("Restore").ExitCode);
        var results = new ProcessResult[2];
        Parallel.For(0, 2, i => results[i] = (i == 0 ? a : b).Build("Checkpoint"));
        Assert.True(results[0].ExitCode == 0, results[0].ToString());
        Assert.True(results[1].ExitCode == 0, results[1].ToString());
        int ran = results.Sum(r => ExperimentProject.ReproLines(r).Count(l => l.Contains(": ran in ")));
        Assert.Equal(3, ran); // Train, Recalibrate, Checkpoint each computed once; the other build restored them
        Assert.Equal(File.ReadAllBytes(a.Output("checkpoint", "model.pt")), File.ReadAllBytes(b.Output("checkpoint", "model.pt")));
    }
}
