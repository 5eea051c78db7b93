using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Collectives;

public class MpirunLauncherTests
{
    [Theory]
    [InlineData(null, false, false)]
    [InlineData(1, false, false)]
    [InlineData(2, false, true)]
    [InlineData(2, true, false)]
    public void LaunchesOnlyForSeveralRanksNotYetStarted(int? ranks, bool underLauncher, bool expected)
    {
        MpiLaunch? launch = underLauncher ? new MpiLaunch(0, 2, "mpirun (Open MPI)") : null;
        Assert.Equal(expected, MpirunLauncher.NeedsLaunch(ranks, launch));
    }

    [Fact]
    public void ArgumentsCarryTheFlagsThenTheUnchangedCommand()
    {
        var args = MpirunLauncher.Arguments(3, asRoot: true, ["REPRO_X", "OMP_NUM_THREADS=1"],
            ["/usr/bin/dotnet", "/app/repro.dll", "precise-bn", "--data", "a b.safetensors", "--ranks", "3"]);
        Assert.Equal(
            ["--allow-run-as-root", "-np", "3", "--oversubscribe", "--bind-to", "none", "-x", "TERM=dumb",
             "-x", "REPRO_X", "-x", "OMP_NUM_THREADS=1",
             "/usr/bin/dotnet", "/app/repro.dll", "precise-bn", "--data", "a b.safetensors", "--ranks", "3"],
            args);
    }

    [Fact]
    public void NotRootMeansNoAllowRunAsRoot()
    {
        Assert.DoesNotContain("--allow-run-as-root", MpirunLauncher.Arguments(2, asRoot: false, [], ["repro"]));
    }

    [Fact]
    public void ForwardsReproDotnetAndLoaderVariablesAndSharesTheCores()
    {
        var env = new Dictionary<string, string?>
        {
            ["REPRO_TEST_FAIL_RANK"] = "1", ["DOTNET_ROOT"] = "/usr/share/dotnet", ["PATH"] = "/usr/bin",
            ["HOME"] = "/root", ["LD_LIBRARY_PATH"] = "", ["REPROX"] = "no",
        };
        Assert.Equal(["DOTNET_ROOT", "PATH", "REPRO_TEST_FAIL_RANK", "OMP_NUM_THREADS=4"],
            MpirunLauncher.ForwardedVariables(2, env, processorCount: 8));
    }

    [Fact]
    public void TheUsersThreadCountWinsAndEveryRankGetsAtLeastOneThread()
    {
        var env = new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "3" };
        Assert.Equal(["OMP_NUM_THREADS"], MpirunLauncher.ForwardedVariables(2, env, processorCount: 8));
        Assert.Equal(["OMP_NUM_THREADS=1"], MpirunLauncher.ForwardedVariables(3, new Dictionary<string, string?>(), processorCount: 2));
    }

    [Fact]
    public void FindsMpirunOnPath()
    {
        string dir = Path.Combine(Path.GetTempPath(), "repro-mpirun-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "mpirun"), "#!/bin/sh\n");
            Assert.Equal(Path.Combine(dir, "mpirun"), MpirunLauncher.FindMpirun(2, "/nonexistent:" + dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MissingMpirunIsBadInputNamingOpenmpiBin()
    {
        var e = Assert.Throws<BadInputException>(() => MpirunLauncher.FindMpirun(2, "/nonexistent"));
        Assert.StartsWith("--ranks 2: mpirun not found on PATH", e.Message);
        Assert.Contains("openmpi-bin", e.Message);
    }
}
