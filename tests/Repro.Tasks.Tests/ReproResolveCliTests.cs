using Repro.Tasks;

namespace Repro.Tasks.Tests;

/// <summary>
/// Where ReproResolveCli finds the `repro` CLI. Each test builds the layouts the dotnet CLI itself
/// makes (a tool manifest; NuGet's global packages folder after `dotnet tool restore`, with a
/// RID-specific pointer package as Repro.Cli is packed; a global tool's link on PATH) in a temp
/// folder whose root manifest is marked isRoot, so nothing above it can leak in.
/// </summary>
public sealed class ReproResolveCliTests : IDisposable
{
    private const string Rid = "linux-x64";
    private readonly string _root = Directory.CreateTempSubdirectory("repro-resolve-cli-").FullName;
    private readonly MockBuildEngine _engine = new();

    public ReproResolveCliTests()
    {
        Directory.CreateDirectory(Project);
        Directory.CreateDirectory(Packages);
        WriteManifest(_root, isRoot: true);
    }

    private string Project => Path.Combine(_root, "repo", "experiments", "mine");
    private string Packages => Path.Combine(_root, "packages");
    /// <summary>A real assembly with a product version (xunit 2.9.3+…), to stand in for repro.dll.</summary>
    private static string VersionedAssembly => typeof(FactAttribute).Assembly.Location;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private ReproResolveCli Task(Action<ReproResolveCli>? set = null)
    {
        var t = new ReproResolveCli
        {
            BuildEngine = _engine,
            ProjectDirectory = Project,
            PackageRoot = Packages,
            SearchPath = Path.Combine(_root, "empty-bin"),
            RuntimeIdentifier = Rid,
            ExpectedVersion = "0.2.0",
        };
        set?.Invoke(t);
        return t;
    }

    private static void WriteManifest(string dir, bool isRoot, string? reproPackage = null, string version = "0.2.0", bool inConfigFolder = false)
    {
        string tools = reproPackage == null ? "" : $$"""
            "{{reproPackage}}": { "version": "{{version}}", "commands": [ "repro" ], "rollForward": false }
            """;
        string folder = inConfigFolder ? Path.Combine(dir, ".config") : dir;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "dotnet-tools.json"), $$"""
            { "version": 1, "isRoot": {{(isRoot ? "true" : "false")}}, "tools": {
                "cake.tool": { "version": "7.0.0", "commands": [ "dotnet-cake" ] }{{(tools.Length > 0 ? "," : "")}}
                {{tools}}
            } }
            """);
    }

    /// <summary>Repro.Cli as `dotnet pack` makes it: a pointer package and Repro.Cli.linux-x64 holding the apphost and repro.dll.</summary>
    private string RestoreRidSpecificTool(string version = "0.2.0", string? assembly = null)
    {
        string pointer = Path.Combine(Packages, "repro.cli", version, "tools", "any", "any");
        Directory.CreateDirectory(pointer);
        File.WriteAllText(Path.Combine(pointer, "DotnetToolSettings.xml"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <DotNetCliTool Version="2">
              <Commands><Command Name="repro" /></Commands>
              <RuntimeIdentifierPackages>
                <RuntimeIdentifierPackage RuntimeIdentifier="linux-x64" Id="Repro.Cli.linux-x64" />
              </RuntimeIdentifierPackages>
            </DotNetCliTool>
            """);
        string ridDir = Path.Combine(Packages, "repro.cli.linux-x64", version, "tools", "net10.0", Rid);
        Directory.CreateDirectory(ridDir);
        File.WriteAllText(Path.Combine(ridDir, "DotnetToolSettings.xml"), """
            <?xml version="1.0" encoding="utf-8"?>
            <DotNetCliTool Version="2"><Commands><Command Name="repro" EntryPoint="repro" Runner="executable" /></Commands></DotNetCliTool>
            """);
        File.WriteAllText(Path.Combine(ridDir, "repro"), "apphost");
        string dll = Path.Combine(ridDir, "repro.dll");
        if (assembly != null) File.Copy(assembly, dll); else File.WriteAllText(dll, "");
        return dll;
    }

    private string[] ErrorCodes => _engine.Errors.Select(e => e.Code!).ToArray();

    [Fact]
    public void ToolManifestEntryResolvesToTheAssemblyOfTheRidSpecificPackage()
    {
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "repro.cli", inConfigFolder: true);
        string dll = RestoreRidSpecificTool();
        var t = Task();
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(dll, t.ResolvedCliPath);
        Assert.Equal("", t.ManifestToRestore);
        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void PortableToolPackageResolvesItsEntryAssembly()
    {
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "Repro.Cli", version: "0.2.0");
        string dir = Path.Combine(Packages, "repro.cli", "0.2.0", "tools", "net10.0", "any");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "DotnetToolSettings.xml"),
            """<DotNetCliTool Version="1"><Commands><Command Name="repro" EntryPoint="repro.dll" Runner="dotnet" /></Commands></DotNetCliTool>""");
        File.WriteAllText(Path.Combine(dir, "repro.dll"), "");
        var t = Task();
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(Path.Combine(dir, "repro.dll"), t.ResolvedCliPath);
    }

    [Fact]
    public void ExplicitReproCliPathWinsOverTheManifest()
    {
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "repro.cli");
        RestoreRidSpecificTool();
        string mine = Path.Combine(_root, "mine", "repro.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(mine)!);
        File.WriteAllText(mine, "");
        var t = Task(t => t.CliPath = "../../../mine/repro.dll");
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(mine, t.ResolvedCliPath);
    }

    [Fact]
    public void ExplicitReproCliPathThatDoesNotExistIsACodedError()
    {
        var t = Task(t => { t.CliPath = "nowhere/repro.dll"; t.Experiment = Path.Combine(Project, "experiment.json"); });
        Assert.False(t.Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("REPRO1003", error.Code);
        Assert.Equal($"ReproCliPath 'nowhere/repro.dll': {Path.Combine(Project, "nowhere", "repro.dll")} not found.", error.Message);
        Assert.Equal(Path.Combine(Project, "experiment.json"), error.File);
    }

    [Fact]
    public void ManifestEntryNotYetRestoredAsksForARestoreThenFailsIfStillMissing()
    {
        string manifest = Path.Combine(_root, "repo", ".config", "dotnet-tools.json");
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "repro.cli", inConfigFolder: true);
        var first = Task();
        Assert.True(first.Execute(), _engine.Log);
        Assert.Equal(manifest, first.ManifestToRestore);
        Assert.Equal("", first.ResolvedCliPath);

        var second = Task(t => t.FailIfNotFound = true);
        Assert.False(second.Execute());
        Assert.Equal(new[] { "REPRO1003" }, ErrorCodes);
        Assert.Equal($"tool manifest {manifest} lists repro.cli 0.2.0 for `repro`, but it is not in {Packages} after `dotnet tool restore`.", _engine.Errors[0].Message);
    }

    [Fact]
    public void RootManifestWithoutReproStopsTheSearch()
    {
        // The outer folder lists repro, but the repository's own root manifest ends the walk first.
        WriteManifest(_root, isRoot: false, reproPackage: "repro.cli");
        RestoreRidSpecificTool();
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true);
        var t = Task();
        Assert.False(t.Execute());
        Assert.Equal(new[] { "REPRO1003" }, ErrorCodes);
        Assert.StartsWith($"no `repro` CLI: no tool manifest (dotnet-tools.json) at or above {Project} lists it and none is on PATH;", _engine.Errors[0].Message);
        Assert.Contains("dotnet tool install Repro.Cli --version", _engine.Errors[0].Message);
    }

    [Fact]
    public void NonRootManifestWithoutReproLetsTheSearchContinueUpwards()
    {
        WriteManifest(_root, isRoot: true, reproPackage: "repro.cli");
        string dll = RestoreRidSpecificTool();
        WriteManifest(Path.Combine(_root, "repo"), isRoot: false);
        var t = Task();
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(dll, t.ResolvedCliPath);
    }

    [Fact]
    public void ToolWithoutABuildForThisPlatformSaysWhichItHas()
    {
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "repro.cli");
        RestoreRidSpecificTool();
        var t = Task(t => t.RuntimeIdentifier = "osx-arm64");
        Assert.False(t.Execute());
        Assert.Equal("tool package repro.cli 0.2.0 has no build for osx-arm64 (it has: linux-x64)", Assert.Single(_engine.Errors).Message);
    }

    [Fact]
    public void GlobalToolOnPathResolvesThroughItsLinkToTheStoredAssembly()
    {
        string dll = RestoreRidSpecificTool();
        string bin = Path.Combine(_root, "dotnet-tools");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "repro"), Path.Combine(Path.GetDirectoryName(dll)!, "repro"));
        var t = Task(t => t.SearchPath = Path.Combine(_root, "empty-bin") + Path.PathSeparator + bin);
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(dll, t.ResolvedCliPath);
    }

    [Fact]
    public void CliOfAnotherVersionIsAWarningThatNamesBoth()
    {
        WriteManifest(Path.Combine(_root, "repo"), isRoot: true, reproPackage: "repro.cli");
        string dll = RestoreRidSpecificTool(assembly: VersionedAssembly);
        string actual = System.Diagnostics.FileVersionInfo.GetVersionInfo(VersionedAssembly).ProductVersion!.Split('+')[0];
        var t = Task();
        Assert.True(t.Execute(), _engine.Log);
        Assert.Equal(dll, t.ResolvedCliPath);
        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal("REPRO1005", warning.Code);
        Assert.Contains($"is version {actual} but Repro.Tasks is 0.2.0", warning.Message);

        var engine = new MockBuildEngine();
        var same = Task(t => { t.BuildEngine = engine; t.ExpectedVersion = actual; });
        Assert.True(same.Execute());
        Assert.Empty(engine.Warnings);
    }

    [Fact]
    public void MalformedManifestIsACodedErrorNamingIt()
    {
        string manifest = Path.Combine(_root, "repo", "dotnet-tools.json");
        Directory.CreateDirectory(Path.GetDirectoryName(manifest)!);
        File.WriteAllText(manifest, "{ \"tools\": ");
        var t = Task();
        Assert.False(t.Execute());
        Assert.StartsWith($"tool manifest {manifest}: not valid JSON", Assert.Single(_engine.Errors).Message);
    }

    [Fact]
    public void CurrentPlatformIsAPortableRuntimeIdentifier()
        => Assert.Matches("^(linux|osx|win)-(x64|arm64|x86|arm)$", ReproResolveCli.CurrentRuntimeIdentifier());
}
