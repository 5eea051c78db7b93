using Repro.Integration.Tests.Calibration;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Integration.Tests.Collectives;

/// <summary>
/// `repro ema` / `repro precise-bn` over real mpirun ranks: N ranks equal one rank, rank 0 alone
/// writes, and every way a multi-rank run can go wrong ends fast with one line and no output.
/// (Three ranks for precise-bn, and the all-reduce failure, are in Calibration/PreciseBnRanksTests.)
/// </summary>
[Collection(MpirunCollection.Name)]
public class RecalibrationAcrossRanksTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>38 samples in batches of 8: batches of 8, 8, 8, 8, 6; rank 0 takes 3 of them (22 samples), rank 1 takes 2 (16).</summary>
    private static string Args(TempFolder tmp, string input, string extra = "") =>
        RecalibrationFixture.Args(tmp, input, extra).Replace("--samples 30", "--samples 38").Replace($"--test-data {RecalibrationFixture.Test} ", "");

    [Theory]
    [InlineData("population")]
    [InlineData("mean-of-batch-var")]
    public void EmaOnTwoRanksWithUnevenShardsEqualsOneRank(string estimator)
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string args = Args(tmp, input, $"--estimator {estimator} --order shuffle --seed 5");

        var one = ReproProcess.Repro("ema " + args, timeout: Limit);
        Assert.True(one.ExitCode == 0, one.ToString());
        File.Move(tmp.File("out.safetensors"), tmp.File("one.safetensors"));
        File.Delete(tmp.File("report.json"));

        var two = ReproProcess.Repro("ema " + args + " --ranks 2", timeout: Limit);
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.Contains("2 rank(s)", two.StdOut);
        Assert.Equal("", two.StdErr);

        using var a = SafetensorsReader.Read(tmp.File("one.safetensors"));
        using var b = SafetensorsReader.Read(tmp.File("out.safetensors"));
        int compared = 0;
        foreach (var (name, t) in a.Tensors)
        {
            if (!name.EndsWith(".running_mean", StringComparison.Ordinal) && !name.EndsWith(".running_var", StringComparison.Ordinal))
                continue;
            Assert.True(allclose(t, b.Tensors[name], rtol: 1e-6, atol: 0), $"{name} differs between 1 and 2 ranks beyond 1e-6 relative");
            compared++;
        }
        Assert.Equal(24, compared);
        // Only rank 0 wrote, once, atomically: no temp files or per-rank copies beside the outputs.
        Assert.Equal(["in.safetensors", "one.safetensors", "out.safetensors", "report.json"],
            Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PreciseBnOnFashionMnistOnTwoRanksEqualsOneRank()
    {
        // The real dataset (Debian's dataset-fashion-mnist, a prerequisite): 1000 samples in batches of
        // 128, the last one 104, so rank 0 holds 512 samples and rank 1 holds 488.
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string args = Args(tmp, input).Replace($"--data {RecalibrationFixture.Train}", "--data fashion-mnist:train")
            .Replace("--samples 38", "--samples 1000").Replace("--batch-size 8", "--batch-size 128");

        var one = ReproProcess.Repro("precise-bn " + args, timeout: Limit);
        Assert.True(one.ExitCode == 0, one.ToString());
        File.Move(tmp.File("out.safetensors"), tmp.File("one.safetensors"));
        var two = ReproProcess.Repro("precise-bn " + args + " --ranks 2", timeout: Limit);
        Assert.True(two.ExitCode == 0, two.ToString());

        using var a = SafetensorsReader.Read(tmp.File("one.safetensors"));
        using var b = SafetensorsReader.Read(tmp.File("out.safetensors"));
        Assert.Equal(a.Tensors.Keys.Order(StringComparer.Ordinal), b.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, t) in a.Tensors)
            Assert.True(allclose(t, b.Tensors[name], rtol: 1e-6, atol: 0), $"{name} differs between 1 and 2 ranks beyond 1e-6 relative");
    }

    [Fact]
    public void UnderTheUsersOwnMpirunRankZeroAloneWritesAndPrints()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string root = Environment.UserName == "root" ? "--allow-run-as-root " : "";
        var r = ReproProcess.Run("mpirun",
            $"{root}--oversubscribe --bind-to none -np 2 dotnet \"{ReproProcess.ReproDll}\" precise-bn {Args(tmp, input)}", timeout: Limit);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(r.StdOut.Split('\n'), line => line.Contains("2 rank(s)"));
        Assert.Equal(["in.safetensors", "out.safetensors", "report.json"],
            Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AFailureInOneRanksBatchLoopEndsTheJobWithThatRanksCauseAlone()
    {
        // Ranks 0 and 2 finish their batches and learn of rank 1's failure through the agreement
        // before the reduction; they must stay quiet while rank 1 reports and aborts the job.
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var env = new Dictionary<string, string> { ["REPRO_TEST_FAIL_RANK"] = "1", ["REPRO_TEST_FAIL_AT"] = "batch" };
        var r = ReproProcess.Repro("precise-bn " + Args(tmp, input) + " --ranks 3", env: env, timeout: Limit);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(30), r.ToString());
        Assert.Equal(
            "repro: error: rank 1 of 3: InjectedFailureException: injected test failure (REPRO_TEST_FAIL_RANK=1) in the batch loop",
            r.StdErr.Trim());
        Assert.Equal(["in.safetensors"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailureAtTheAllReduceEndsTheJobWithinThirtySeconds()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var env = new Dictionary<string, string> { ["REPRO_TEST_FAIL_RANK"] = "1" };
        var r = ReproProcess.Repro("ema " + Args(tmp, input) + " --ranks 2", env: env, timeout: Limit);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(30), r.ToString());
        Assert.Equal(
            "repro: error: rank 1 of 2: InjectedFailureException: injected test failure (REPRO_TEST_FAIL_RANK=1) before the all-reduce",
            r.StdErr.Trim());
        Assert.Equal(["in.safetensors"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void MissingMpirunIsBadInputInOneLineNamingOpenmpiBin()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var env = new Dictionary<string, string> { ["PATH"] = "/nonexistent" };
        var r = ReproProcess.Repro("precise-bn " + Args(tmp, input) + " --ranks 2", env: env, timeout: Limit);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            "repro: error: --ranks 2: mpirun not found on PATH; install Open MPI's launcher (Debian: apt-get install openmpi-bin libopenmpi-dev)",
            r.StdErr.Trim());
        Assert.Equal(["in.safetensors"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
