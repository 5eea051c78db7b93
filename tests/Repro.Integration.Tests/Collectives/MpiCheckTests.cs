namespace Repro.Integration.Tests.Collectives;

/// <summary>
/// The MPI collective and the launch path through the real `repro` and the real Open MPI mpirun
/// (a prerequisite: build/prerequisites.cake), via `repro mpi-check`.
/// </summary>
[Collection(MpirunCollection.Name)]
public class MpiCheckTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RanksStartedByReproReduceExactlyAndIdentically(int ranks)
    {
        var r = ReproProcess.Repro($"mpi-check --ranks {ranks} --elements 100000", timeout: Limit);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"ranks              {ranks} (mpirun (Open MPI); Open MPI v", r.StdOut);
        Assert.Contains("exact, bit-identical on every rank", r.StdOut);
        // Rank 0 alone prints.
        Assert.Single(r.StdOut.Split('\n'), line => line == "mpi-check: ok");
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public void TraceReportsEveryRanksTimeInCollectives()
    {
        var env = new Dictionary<string, string> { ["REPRO_MPI_TRACE"] = "1" };
        var r = ReproProcess.Repro("mpi-check --ranks 2 --elements 1000", env: env, timeout: Limit);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.StdErr.Trim().Split('\n').Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, lines.Length);
        // mpi-check makes four all-reduces: two float64 sums, an int64 sum, an int64 max.
        Assert.StartsWith("repro: mpi: rank 0 of 2: 4 all-reduce(s) ", lines[0]);
        Assert.StartsWith("repro: mpi: rank 1 of 2: 4 all-reduce(s) ", lines[1]);
    }

    [Fact]
    public void RanksStartedByTheUsersOwnMpirunWork()
    {
        var r = MpirunRepro(2, "mpi-check --elements 1000");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ranks              2 (mpirun (Open MPI)", r.StdOut);
        Assert.Single(r.StdOut.Split('\n'), line => line == "mpi-check: ok");
    }

    [Fact]
    public void RanksDisagreeingWithTheUsersMpirunAreBadInput()
    {
        var r = MpirunRepro(3, "mpi-check --ranks 2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--ranks 2 does not match the 3 ranks mpirun (Open MPI) started", r.StdErr);
    }

    [Fact]
    public void AFailureOnRankOneEndsTheWholeJobFastWithOneLine()
    {
        // Ranks 0 and 2 are already waiting inside the all-reduce when rank 1 fails.
        var env = new Dictionary<string, string> { ["REPRO_TEST_FAIL_RANK"] = "1" };
        var r = ReproProcess.Repro("mpi-check --ranks 3 --elements 1000", env: env, timeout: Limit);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(30), r.ToString());
        Assert.Equal(
            "repro: error: rank 1 of 3: InjectedFailureException: injected test failure (REPRO_TEST_FAIL_RANK=1) before the all-reduce",
            r.StdErr.Trim());
        Assert.DoesNotContain("mpi-check: ok", r.StdOut);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void RanksBelowOneIsBadInputInOneLine(string ranks)
    {
        var r = ReproProcess.Repro($"mpi-check --ranks {ranks}", timeout: Limit);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"repro: error: --ranks {ranks}: must be at least 1", r.StdErr.Trim());
    }

    [Fact]
    public void MissingMpirunIsBadInputNamingTheDebianPackage()
    {
        var env = new Dictionary<string, string> { ["PATH"] = "/nonexistent" };
        var r = ReproProcess.Repro("mpi-check --ranks 2", env: env, timeout: Limit);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains("mpirun not found on PATH", r.StdErr);
        Assert.Contains("openmpi-bin", r.StdErr);
    }

    private static ProcessResult MpirunRepro(int ranks, string args)
    {
        string root = Environment.UserName == "root" ? "--allow-run-as-root " : "";
        return ReproProcess.Run("mpirun", $"{root}--oversubscribe --bind-to none -np {ranks} dotnet \"{ReproProcess.ReproDll}\" {args}", timeout: Limit);
    }
}
