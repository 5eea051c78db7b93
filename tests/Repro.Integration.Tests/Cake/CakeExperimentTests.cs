using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Repro.Integration.Tests.Verification;

namespace Repro.Integration.Tests.Cake;

/// <summary>
/// The experiment targets end to end on the tiny experiment with the real CLI: Cake and `dotnet build`
/// share one cache and lock record, and Verify passes on a reproduced run and fails on a tampered one.
/// </summary>
[Collection("dotnet cake")]
public class CakeExperimentTests : IClassFixture<TinyCakeRun>
{
    private readonly TinyCakeRun _run;

    public CakeExperimentTests(TinyCakeRun run) => _run = run;

    [Fact]
    public void PreciseBnRunsTrainAndRecalibrateAndEndsWithTheSummaryTable()
    {
        var r = _run.Result;
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"(?m)^\s*Train\s+ran\s+\d+\.\d s\s+—\s+\d+\.\d\d % \(test, last epoch\)", r.StdOut);
        Assert.Matches(@"(?m)^\s*Recalibrate\s+ran\s+\d+\.\d s\s+\d+\.\d\d %\s+\d+\.\d\d %", r.StdOut);
        Assert.Contains("ran 2, cache hits 0;", r.StdOut);
        Assert.True(File.Exists(Path.Combine(_run.OutDir, "precise-bn", "model.safetensors")));
    }

    [Fact]
    public void DotnetBuildRecalibrateWithTheSameParametersAfterwardsIsACacheHit()
    {
        Assert.True(_run.Result.ExitCode == 0, _run.Result.ToString());
        using var tmp = ReproProcess.TempFolder("repro-cake");
        string summary = Path.Combine(tmp.Path, "summary.json");

        // Same outputs and cache: both stages are up to date; nothing runs.
        var same = CakeProcess.Build("Recalibrate", tmp.Path, $"ReproOutputDir={_run.OutDir}/", $"ReproCacheDir={_run.CacheDir}/", $"ReproBuildSummaryFile={summary}");
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Equal(new[] { ("train", "UpToDate"), ("precise-bn", "UpToDate") }, Outcomes(summary));
        Assert.DoesNotContain(": ran in ", same.StdOut);

        // Same cache, fresh output folder: both stages come back from the cache.
        File.Delete(summary);
        string elsewhere = Path.Combine(tmp.Path, "out");
        var restored = CakeProcess.Build("Recalibrate", tmp.Path, $"ReproOutputDir={elsewhere}/", $"ReproCacheDir={_run.CacheDir}/", $"ReproBuildSummaryFile={summary}");
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(new[] { ("train", "Restored"), ("precise-bn", "Restored") }, Outcomes(summary));
        Assert.Equal(Sha(Path.Combine(_run.OutDir, "precise-bn", "model.safetensors")), Sha(Path.Combine(elsewhere, "precise-bn", "model.safetensors")));
    }

    [Fact]
    public void VerifyPassesWhenTheRerunReproducesTheRecordedRun()
    {
        Assert.True(_run.Result.ExitCode == 0, _run.Result.ToString());
        using var tmp = ReproProcess.TempFolder("repro-cake");

        var r = CakeProcess.Run($"--target=Verify --experiment=tiny --configuration={CakeProcess.Configuration} --lock={_run.LockFile} {_run.Locations}", tmp.Path);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("reproduced: 2 stage(s) match the record", r.StdOut);
        Assert.Matches(@"(?m)^\s*Recalibrate\s+ran\s", r.StdOut);
        Assert.Empty(Directory.GetDirectories(tmp.Path, "repro-verify-*"));
    }

    [Fact]
    public void VerifyFailsWhenAStageOutputWasTamperedWithNamingTheTensorAndItsDifference()
    {
        Assert.True(_run.Result.ExitCode == 0, _run.Result.ToString());
        using var tmp = ReproProcess.TempFolder("repro-cake");
        // The recorded run, except that precise-bn's checkpoint holds one running variance 0.5 off,
        // and its lock record names that file: what drift between a record and a rerun looks like.
        string recorded = Path.Combine(tmp.Path, "recorded");
        CopyDirectory(_run.OutDir, recorded);
        string model = Path.Combine(recorded, "precise-bn", "model.safetensors");
        string tensor = FirstRunningVar(model);
        TinySafetensors.AddTo(model, tensor, 0, 0.5f);
        string lockFile = Path.Combine(recorded, "repro.lock.json");
        var record = JObject.Parse(File.ReadAllText(lockFile));
        record["stages"]!["precise-bn"]!["outputs"]!["model.safetensors"]!["sha256"] = Sha(model);
        File.WriteAllText(lockFile, record.ToString());

        var r = CakeProcess.Run($"--target=Verify --experiment=tiny --configuration={CakeProcess.Configuration} --lock={lockFile} --output-dir={recorded} --cache-dir={_run.CacheDir}", tmp.Path);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Matches(@"(?m)^train\s+ok", r.StdOut);
        Assert.Matches(@"(?m)^precise-bn\s+DIFFERS", r.StdOut);
        Assert.Matches($@"(?m)^\s+{Regex.Escape(tensor)}\s+F32\s+\[\d+\]\s+5e-01\s+1 of \d+", r.StdOut);
        Assert.Contains("NOT reproduced: precise-bn (model.safetensors)", r.StdOut);
        Assert.Contains("Verify: tiny did NOT reproduce", r.All);
    }

    private static (string, string)[] Outcomes(string summary) =>
        ((JArray)JObject.Parse(File.ReadAllText(summary))["stages"]!).Select(s => ((string)s["stage"]!, (string)s["outcome"]!)).ToArray();

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string FirstRunningVar(string safetensors)
    {
        byte[] bytes = File.ReadAllBytes(safetensors);
        long n = BitConverter.ToInt64(bytes, 0);
        var header = JObject.Parse(System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n));
        return header.Properties().Select(p => p.Name).Where(name => name.EndsWith(".running_var", StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
