namespace Repro.Integration.Tests.Cake;

/// <summary>What `dotnet cake` says to a mistyped command line: the error, what would have been right, a non-zero exit.</summary>
[Collection("dotnet cake")]
public class CakeBadInputTests
{
    [Fact]
    public void AnUnknownTargetIsCakesErrorWithTheListOfTargets()
    {
        using var tmp = ReproProcess.TempFolder("repro-cake");
        var r = CakeProcess.Run("--target=PreciseBN2", tmp.Path);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("The target 'PreciseBN2' was not found.", r.All);
        AssertListsTargets(r);
    }

    [Fact]
    public void AnUnknownArgumentIsAnErrorWithTheTargetsAndArguments()
    {
        using var tmp = ReproProcess.TempFolder("repro-cake");
        var r = CakeProcess.Run("--target=PreciseBn --experiment=tiny --sample=4096", tmp.Path);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Error: Unknown argument --sample; the arguments are listed above.", r.All);
        AssertListsTargets(r);
        Assert.Contains("  --samples ", r.All);
        Assert.DoesNotMatch(@"(?m)^Recalibrate: dotnet build", r.All);
    }

    [Fact]
    public void AnUnknownExperimentIsAnErrorListingTheKnownOnes()
    {
        using var tmp = ReproProcess.TempFolder("repro-cake");
        var r = CakeProcess.Run("--target=PreciseBn --experiment=fashion-mnist", tmp.Path);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--experiment=fashion-mnist: unknown experiment. Known experiments: "
            + "fashion-mnist-resnet (experiments/fashion-mnist-resnet), tiny (tests/experiments/tiny).", r.All);
        Assert.DoesNotMatch(@"(?m)^Recalibrate: dotnet build", r.All);
    }

    [Theory]
    [InlineData("--samples=0", "--samples=0: expected a positive whole number")]
    [InlineData("--estimator=median", "--estimator=median: expected population or mean-of-batch-var")]
    public void ABadValueNamesTheArgument(string argument, string message)
    {
        using var tmp = ReproProcess.TempFolder("repro-cake");
        var r = CakeProcess.Run($"--target=PreciseBn --experiment=tiny {argument}", tmp.Path);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(message, r.All);
    }

    private static void AssertListsTargets(ProcessResult r)
    {
        Assert.Contains("Targets:", r.All);
        foreach (string target in new[] { "Restore", "Build", "Test", "Pack", "Train", "PreciseBn", "Checkpoint", "Ema", "Verify", "Bench", "Report", "Clean", "Default" })
            Assert.Matches($@"(?m)^\s+{target}\s+\S", r.All);
    }
}
