using System.IO.Compression;

namespace Repro.Integration.Tests.Build;

/// <summary>
/// `dotnet pack` makes a Repro.Tasks package that works outside this repository: a sample
/// experiment in a temp folder restores it from a local folder feed and runs the stage graph.
/// Restore is offline: the feed, plus the machine's global packages folder (as a folder source)
/// for the NoTargets SDK, into a private packages folder so no stale copy is picked up.
/// </summary>
[Collection("dotnet build")]
public class PackageTests
{
    [Fact]
    public void PackedTasksBuildASampleExperimentOutsideTheRepo()
    {
        using var temp = ReproProcess.TempFolder("repro-pack-test");
        string feed = Path.Combine(temp.Path, "feed");
        const string version = "0.1.0-packtest";
        var pack = ReproProcess.Run("dotnet",
            $"pack src/Tasks/Repro.Tasks.csproj --no-build -c {ExperimentProject.Configuration} -o \"{feed}\" -p:Version={version} -nologo",
            ReproProcess.RepoRoot, TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, pack.ToString());

        string nupkg = Path.Combine(feed, $"Repro.Tasks.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var expected in new[]
            {
                "tools/net10.0/Repro.Tasks.dll", "tools/net10.0/Repro.Pipeline.dll", "tools/net10.0/Newtonsoft.Json.dll",
                "build/Repro.Tasks.props", "build/Repro.Tasks.targets", "build/Repro.props", "build/Repro.targets",
                "buildTransitive/Repro.Tasks.props", "buildTransitive/Repro.Tasks.targets",
            })
                Assert.Contains(expected, entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.Contains("Microsoft.Build"));
        }

        string sample = Path.Combine(temp.Path, "sample");
        Directory.CreateDirectory(sample);
        File.Copy(Path.Combine(ReproProcess.RepoRoot, "tests", "experiments", "tiny", "experiment.json"), Path.Combine(sample, "experiment.json"));
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } gp
            ? gp : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(temp.Path, "packages")}" /></config>
              <packageSources>
                <clear />
                <add key="repro-local" value="{feed}" />
                <add key="machine-packages" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(sample, "sample.csproj"), $"""
            <Project Sdk="Microsoft.Build.NoTargets/3.7.0">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ReproCliPath>{ExperimentProject.FakeCli}</ReproCliPath>
                <ReproRuntimeVersion>repro 0.1.0; TorchSharp 0.107.0</ReproRuntimeVersion>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Repro.Tasks" Version="{version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        string runs = Path.Combine(temp.Path, "runs.log");
        var env = new Dictionary<string, string> { ["FAKE_REPRO_LOG"] = runs, ["NUGET_PACKAGES"] = Path.Combine(temp.Path, "packages") };
        var build = ReproProcess.Run("dotnet", "build -t:Ema -nologo -nr:false", sample, TimeSpan.FromMinutes(5), env);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(new[] { "train", "precise-bn", "checkpoint", "ema" }, File.ReadAllLines(runs));
        // The only Repro.Tasks.dll this build could load is the restored package's.
        Assert.True(File.Exists(Path.Combine(temp.Path, "packages", "repro.tasks", version, "tools", "net10.0", "Repro.Tasks.dll")));
        Assert.True(File.Exists(Path.Combine(sample, "out", "checkpoint", "model.pt")));
        // Outside a git repository the cache defaults to .repro/cache beside the project.
        Assert.True(Directory.Exists(Path.Combine(sample, ".repro", "cache", "stages")));
    }
}
