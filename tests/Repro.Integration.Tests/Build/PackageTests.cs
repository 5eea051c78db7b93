using System.IO.Compression;
using Newtonsoft.Json.Linq;

namespace Repro.Integration.Tests.Build;

/// <summary>
/// What a user outside this repository gets: `dotnet pack` makes Repro.Tasks (the targets) and the
/// `repro` tool (Repro.Cli, RID-specific, libtorch inside), and a sample experiment that lists the
/// tool in its dotnet-tools.json and references Repro.Tasks builds with no path to anything: the
/// build restores the tool itself, runs the real stages with it, and is a no-op the second time.
/// The packs run on a copy of the sources (so this repository's bin/obj, which other tests use, are
/// left alone); restore is offline: the local feed, plus the machine's global packages folder as a
/// folder source, into a private packages folder so no stale copy is picked up.
/// </summary>
[Collection("dotnet build")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PackageTests
{
    private const string Version = "0.1.0-packtest";

    [Fact]
    public void PackedTasksAndToolBuildASampleExperimentOutsideTheRepo()
    {
        using var temp = ReproProcess.TempFolder("repro-pack-test");
        string sources = Path.Combine(temp.Path, "sources");
        CopySources(ReproProcess.RepoRoot, sources);
        string feed = Path.Combine(temp.Path, "feed");
        foreach (string project in new[] { "src/Runtime/Repro.Cli", "src/Tasks" })
        {
            var pack = ReproProcess.Run("dotnet", $"pack {project} -c Release -o \"{feed}\" -p:Version={Version} -nologo", sources, TimeSpan.FromMinutes(8));
            Assert.True(pack.ExitCode == 0, pack.ToString());
        }
        AssertPackageContents(feed);

        string sample = Path.Combine(temp.Path, "sample");
        string packages = Path.Combine(temp.Path, "packages");
        WriteSample(sample, feed, packages);
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };

        var first = ReproProcess.Run("dotnet", "build -t:Ema -nologo -nr:false", sample, TimeSpan.FromMinutes(8), env);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"Repro: restoring the `repro` tool (repro.cli {Version}) listed in {Path.Combine(sample, ".config", "dotnet-tools.json")}", first.StdOut);
        foreach (string stage in new[] { "Train", "Recalibrate", "Checkpoint", "Ema" })
            Assert.Contains($"Repro: {stage}: ran in ", first.StdOut);
        Assert.Contains(" 0 Warning(s)", first.StdOut);

        // The tool came from the feed into this build's packages folder, and it is what ran.
        string toolDll = Path.Combine(packages, "repro.cli.linux-x64", Version, "tools", "net10.0", "linux-x64", "repro.dll");
        Assert.True(File.Exists(toolDll), toolDll);
        Assert.True(File.Exists(Path.Combine(packages, "repro.tasks", Version, "tools", "net10.0", "Repro.Tasks.dll")));
        var lockRecord = JObject.Parse(File.ReadAllText(Path.Combine(sample, "out", "repro.lock.json")));
        Assert.StartsWith($"repro {Version}; TorchSharp ", (string)lockRecord["stages"]!["precise-bn"]!["runtime"]!);
        Assert.True(File.Exists(Path.Combine(sample, "out", "checkpoint", "model.pt")));
        // Outside a git repository the cache defaults to .repro/cache beside the project.
        Assert.True(Directory.Exists(Path.Combine(sample, ".repro", "cache", "stages")));

        var second = ReproProcess.Run("dotnet", "build -t:Ema -nologo -nr:false --no-restore", sample, TimeSpan.FromMinutes(5), env);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("restoring the `repro` tool", second.StdOut);
        Assert.DoesNotContain("ran in", second.StdOut);
        Assert.Contains("Repro: Ema: up to date (key ", second.StdOut);
    }

    private static void AssertPackageContents(string feed)
    {
        var tasks = Entries(Path.Combine(feed, $"Repro.Tasks.{Version}.nupkg"));
        foreach (var expected in new[]
        {
            "tools/net10.0/Repro.Tasks.dll", "tools/net10.0/Repro.Pipeline.dll", "tools/net10.0/Newtonsoft.Json.dll",
            "build/Repro.Tasks.props", "build/Repro.Tasks.targets", "build/Repro.props", "build/Repro.targets",
            "buildTransitive/Repro.Tasks.props", "buildTransitive/Repro.Tasks.targets", "README.md",
        })
            Assert.Contains(expected, tasks);
        Assert.DoesNotContain(tasks, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.Contains("Microsoft.Build") || e.Contains("libtorch"));

        // The tool: a pointer package naming the linux-x64 package, which holds the CLI and libtorch.
        string pointer = Path.Combine(feed, $"Repro.Cli.{Version}.nupkg");
        using (var zip = ZipFile.OpenRead(pointer))
        {
            using var reader = new StreamReader(zip.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open());
            string settings = reader.ReadToEnd();
            Assert.Contains("<Command Name=\"repro\"", settings);
            Assert.Contains("<RuntimeIdentifierPackage RuntimeIdentifier=\"linux-x64\" Id=\"Repro.Cli.linux-x64\" />", settings);
        }
        var tool = Entries(Path.Combine(feed, $"Repro.Cli.linux-x64.{Version}.nupkg"));
        foreach (var expected in new[] { "repro.dll", "repro", "Repro.Runtime.dll", "TorchSharp.dll", "libLibTorchSharp.so", "libtorch_cpu.so" })
            Assert.Contains($"tools/net10.0/linux-x64/{expected}", tool);
    }

    private static HashSet<string> Entries(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        return zip.Entries.Select(e => e.FullName).ToHashSet();
    }

    private static void WriteSample(string sample, string feed, string packages)
    {
        Directory.CreateDirectory(Path.Combine(sample, ".config"));
        File.Copy(Path.Combine(ReproProcess.RepoRoot, "tests", "experiments", "tiny", "experiment.json"), Path.Combine(sample, "experiment.json"));
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } gp
            ? gp : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources>
                <clear />
                <add key="repro-local" value="{feed}" />
                <add key="machine-packages" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """);
        // The tool is listed, not installed: the build restores it.
        File.WriteAllText(Path.Combine(sample, ".config", "dotnet-tools.json"), $$"""
            {
              "version": 1,
              "isRoot": true,
              "tools": {
                "repro.cli": { "version": "{{Version}}", "commands": [ "repro" ], "rollForward": false }
              }
            }
            """);
        File.WriteAllText(Path.Combine(sample, "sample.csproj"), $"""
            <Project Sdk="Microsoft.Build.NoTargets/3.7.0">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Repro.Tasks" Version="{Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>What packing needs: the root build files, eng/ and src/, without build outputs.</summary>
    private static void CopySources(string repo, string to)
    {
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" })
            CopyFile(Path.Combine(repo, file), Path.Combine(to, file));
        foreach (string dir in new[] { "eng", "src" })
            foreach (string file in Directory.EnumerateFiles(Path.Combine(repo, dir), "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(repo, file);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj"))
                    continue;
                CopyFile(file, Path.Combine(to, relative));
            }
    }

    private static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }
}
