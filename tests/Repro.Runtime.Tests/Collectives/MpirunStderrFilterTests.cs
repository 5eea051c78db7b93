using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Collectives;

public class MpirunStderrFilterTests
{
    private static readonly string Rule = new('-', 74);

    private static readonly string[] AbortBanner =
    [
        Rule, "MPI_ABORT was invoked on rank 1 in communicator MPI_COMM_WORLD", "with errorcode 1.", "", Rule,
    ];

    private static string Relay(IEnumerable<string> lines, int exitCode)
    {
        var output = new StringWriter { NewLine = "\n" };
        var filter = new MpirunStderrFilter(output);
        foreach (string line in lines)
            filter.Line(line);
        filter.Complete(exitCode, "mpirun -np 2 repro");
        return output.ToString();
    }

    [Fact]
    public void ARanksErrorLineStandsAloneWhateverOrderTheBannerCameIn()
    {
        string error = "repro: error: rank 1 of 2: InvalidOperationException: boom";
        Assert.Equal(error + "\n", Relay(AbortBanner.Append(error), exitCode: 1));
        Assert.Equal(error + "\n", Relay(AbortBanner.Prepend(error), exitCode: 1));
    }

    [Fact]
    public void OpenMpiRuntimeLogLinesAreHeldBackLikeBanners()
    {
        string error = "repro: error: rank 1 of 3: boom";
        string log = "[vm:17089] [[11839,0],0] ORTE_ERROR_LOG: Data unpack had inadequate space in file ../../../orte/util/show_help.c at line 513";
        Assert.Equal(error + "\n", Relay([error, log], exitCode: 1));
        Assert.StartsWith(log + "\nrepro: error: mpirun exited with code 1", Relay([log], exitCode: 1));
    }

    [Fact]
    public void TheSameCauseOnSeveralRanksIsReportedOnce()
    {
        string[] lines =
        [
            "repro: error: rank 2 of 3: /data/x.safetensors: file not found",
            "repro: error: rank 0 of 3: /data/x.safetensors: file not found",
            "repro: error: rank 1 of 3: out of memory",
        ];
        Assert.Equal(lines[0] + "\n" + lines[2] + "\n", Relay(lines, exitCode: 2));
    }

    [Fact]
    public void OrdinaryLinesPassThroughInOrder()
    {
        Assert.Equal("warming up\nwarning: x\n", Relay(["warming up", "warning: x"], exitCode: 0));
    }

    [Fact]
    public void WithoutARankErrorTheBannersAreTheExplanationAndASummaryFollows()
    {
        string[] banner = [Rule, "mpirun was unable to launch the specified application", Rule];
        string relayed = Relay(banner, exitCode: 132);
        Assert.Equal(string.Join("\n", banner) + "\n"
            + "repro: error: mpirun exited with code 132 and no rank reported an error (command: mpirun -np 2 repro)\n", relayed);
    }

    [Fact]
    public void AnUnclosedBannerIsNotLost()
    {
        Assert.Equal(Rule + "\nhalf a message\n", Relay([Rule, "half a message"], exitCode: 0));
    }
}
