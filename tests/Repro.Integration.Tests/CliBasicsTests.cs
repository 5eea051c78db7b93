namespace Repro.Integration.Tests;

public class CliBasicsTests
{
    [Fact]
    public void EnvRunsLibTorchInTheCli()
    {
        var r = ReproProcess.Repro("env --device cpu");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ok (sum 0..5 = 15)", r.StdOut);
        Assert.Contains("0.107.0", r.StdOut);
    }

    [Fact]
    public void VersionIsThePackageVersion()
    {
        var r = ReproProcess.Repro("--version");
        Assert.True(r.ExitCode == 0, r.ToString());
        string expected = System.Diagnostics.FileVersionInfo.GetVersionInfo(ReproProcess.ReproDll).ProductVersion!.Split('+')[0];
        Assert.Equal(expected, r.StdOut.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", expected);
    }

    [Fact]
    public void UnknownCommandIsBadInputWithExitCode2()
    {
        var r = ReproProcess.Repro("no-such-command");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.StartsWith("repro: error:", r.StdErr.Trim());
    }

    [Fact]
    public void UnknownDeviceNamesTheOption()
    {
        var r = ReproProcess.Repro("env --device tpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--device tpu", r.StdErr);
    }
}
