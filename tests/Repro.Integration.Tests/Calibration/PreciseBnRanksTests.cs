using Newtonsoft.Json.Linq;
using Repro.Integration.Tests.Collectives;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Integration.Tests.Calibration;

/// <summary><c>repro precise-bn --ranks N</c> under the real mpirun equals one rank.</summary>
[Collection(MpirunCollection.Name)]
public class PreciseBnRanksTests
{
    [Theory]
    [InlineData("population")]
    [InlineData("mean-of-batch-var")]
    public void ThreeRanksWithUnequalShardsGiveOneRanksCheckpoint(string estimator)
    {
        // 30 samples in batches of 8: batches 0..3, so ranks 0, 1, 2 hold 2, 1 and 1 of them.
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string one = RecalibrationFixture.Args(tmp, input, $"--estimator {estimator} --order shuffle --seed 3");
        var r1 = ReproProcess.Repro("precise-bn " + one);
        Assert.True(r1.ExitCode == 0, r1.ToString());
        File.Move(tmp.File("out.safetensors"), tmp.File("one.safetensors"));

        var r3 = ReproProcess.Repro("precise-bn " + one + " --ranks 3", timeout: TimeSpan.FromMinutes(3));
        Assert.True(r3.ExitCode == 0, r3.ToString());
        Assert.Contains("3 rank(s)", r3.StdOut);

        using var a = SafetensorsReader.Read(tmp.File("one.safetensors"));
        using var b = SafetensorsReader.Read(tmp.File("out.safetensors"));
        Assert.Equal(a.Metadata, b.Metadata);
        foreach (var (name, t) in a.Tensors)
        {
            if (name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal))
                Assert.True(allclose(t, b.Tensors[name], rtol: 1e-6, atol: 1e-7), $"{name} differs between 1 and 3 ranks");
            else
                Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} changed");
        }
        var report = JObject.Parse(File.ReadAllText(tmp.File("report.json")));
        Assert.Equal(3, (int)report["run"]!["ranks"]!);
        Assert.Equal(30, (long)report["run"]!["samplesUsed"]!);
        Assert.Equal(24, (long)report["accuracy"]!["samples"]!);
    }

    [Fact]
    public void AFailingRankEndsTheJobWithOneLineAndNoOutput()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string args = RecalibrationFixture.Args(tmp, input).Replace($"--test-data {RecalibrationFixture.Test} ", "");
        var env = new Dictionary<string, string> { ["REPRO_TEST_FAIL_RANK"] = "1" };
        var r = ReproProcess.Repro("precise-bn " + args + " --ranks 2", env: env, timeout: TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal(
            "repro: error: rank 1 of 2: InjectedFailureException: injected test failure (REPRO_TEST_FAIL_RANK=1) before the all-reduce",
            r.StdErr.Trim());
        Assert.Equal(new[] { "in.safetensors" }, Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
