namespace Repro.Integration.Tests.Build;

/// <summary>
/// `dotnet build -t:Recalibrate` at the repository root: Directory.Solution.targets forwards the
/// stage targets to the default experiment, and the solution's other projects never see them
/// (without it every project fails with MSB4057). A dry run keeps this to seconds.
/// </summary>
[Collection("dotnet build")]
public class RootBuildTests
{
    [Theory]
    [InlineData("Recalibrate", 2)]
    [InlineData("Ema", 4)]
    public void StageTargetsAtTheRootRunTheDefaultExperimentOnly(string target, int stages)
    {
        using var temp = ReproProcess.TempFolder("repro-root-build");
        string args = $"build Repro.sln -t:{target} -nologo -nr:false --no-restore -p:Configuration={ExperimentProject.Configuration}"
            + $" -p:ReproDryRun=true -p:ReproBuildTools=false -p:ReproOutputDir={temp.Path}/out/ -p:ReproCacheDir={temp.Path}/cache/";
        var r = ReproProcess.Run("dotnet", args, ReproProcess.RepoRoot, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("MSB4057", r.All);
        var lines = ExperimentProject.ReproLines(r);
        Assert.Equal(stages, lines.Length);
        Assert.StartsWith("Repro [dry run] Train: to run (not in repro.lock.json; not in the cache)", lines[0]);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }
}
