using System.Security.Cryptography;
using Newtonsoft.Json.Linq;

namespace Repro.Integration.Tests.Verification;

/// <summary><c>repro diff</c> and <c>repro verify</c> through the real CLI: listings and exit codes.</summary>
public class DiffAndVerifyCliTests
{
    [Fact]
    public void DiffListsTheDifferingTensorWithItsMaxAbsoluteDifferenceAndExits1()
    {
        using var tmp = ReproProcess.TempFolder();
        TinySafetensors.Write(tmp.File("a.safetensors"), ("layer1.0.bn1.running_var", [1f, 2f, 3f]), ("fc.weight", [0.5f]));
        TinySafetensors.Write(tmp.File("b.safetensors"), ("layer1.0.bn1.running_var", [1f, 2f, 3f]), ("fc.weight", [0.5f]));

        var same = ReproProcess.Repro($"diff {tmp.File("a.safetensors")} {tmp.File("b.safetensors")}");
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("2 tensors, identical", same.StdOut);

        TinySafetensors.AddTo(tmp.File("b.safetensors"), "layer1.0.bn1.running_var", 2, 0.25f);
        var r = ReproProcess.Repro($"diff {tmp.File("a.safetensors")} {tmp.File("b.safetensors")}");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("1 of 2 tensors differ", r.StdOut);
        Assert.Matches(@"layer1\.0\.bn1\.running_var\s+F32\s+\[3\]\s+2\.5e-01\s+1 of 3", r.StdOut);
    }

    [Fact]
    public void DiffOfDifferentKindsIsBadInput()
    {
        using var tmp = ReproProcess.TempFolder();
        TinySafetensors.Write(tmp.File("a.safetensors"), ("x", [1f]));
        File.WriteAllText(tmp.File("b.json"), "{}");
        var r = ReproProcess.Repro($"diff {tmp.File("a.safetensors")} {tmp.File("b.json")}");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("repro: error:", r.StdErr.Trim());
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void VerifyPassesOnAReproducedRunAndFailsNamingTheTamperedTensor()
    {
        using var tmp = ReproProcess.TempFolder();
        string expected = Run(tmp.File("expected"));
        string actual = Run(tmp.File("actual"));

        var ok = ReproProcess.Repro($"verify --expected {expected} --actual {actual}");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("reproduced: 1 stage(s) match the record", ok.StdOut);
        Assert.Contains("report.json              same results", ok.StdOut);

        // The rerun's checkpoint drifts in one statistic; its lock record says what it wrote.
        string model = Path.Combine(tmp.File("actual"), "precise-bn", "model.safetensors");
        TinySafetensors.AddTo(model, "bn.running_var", 1, 0.125f);
        Record(tmp.File("actual"));

        var r = ReproProcess.Repro($"verify --expected {expected} --actual {actual}");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("precise-bn   DIFFERS", r.StdOut);
        Assert.Matches(@"bn\.running_var\s+F32\s+\[2\]\s+1\.25e-01\s+1 of 2", r.StdOut);
        Assert.Contains("NOT reproduced: precise-bn (model.safetensors)", r.StdOut);
    }

    [Fact]
    public void VerifyAgainstAFileThatIsNotALockRecordIsBadInput()
    {
        using var tmp = ReproProcess.TempFolder();
        File.WriteAllText(tmp.File("x.json"), "[]");
        var r = ReproProcess.Repro($"verify --expected {tmp.File("x.json")} --actual {tmp.File("x.json")}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--expected", r.StdErr);
    }

    /// <summary>A one-stage run: precise-bn/model.safetensors, precise-bn/report.json (with a timing), and its lock record.</summary>
    private static string Run(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "precise-bn"));
        TinySafetensors.Write(Path.Combine(root, "precise-bn", "model.safetensors"), ("bn.running_mean", [0f, 1f]), ("bn.running_var", [1f, 2f]));
        File.WriteAllText(Path.Combine(root, "precise-bn", "report.json"),
            new JObject { ["accuracy"] = new JObject { ["before"] = 0.5, ["after"] = 0.625 }, ["durationSeconds"] = Random.Shared.NextDouble() }.ToString());
        return Record(root);
    }

    private static string Record(string root)
    {
        var outputs = new JObject();
        foreach (string file in new[] { "model.safetensors", "report.json" })
        {
            string path = Path.Combine(root, "precise-bn", file);
            outputs[file] = new JObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), ["size"] = new FileInfo(path).Length };
        }
        var record = new JObject
        {
            ["schema"] = 1,
            ["experiment"] = "t",
            ["stages"] = new JObject { ["precise-bn"] = new JObject { ["key"] = "k", ["parameters"] = new JObject(), ["outputs"] = outputs } },
        };
        string lockPath = Path.Combine(root, "repro.lock.json");
        File.WriteAllText(lockPath, record.ToString());
        return lockPath;
    }
}
