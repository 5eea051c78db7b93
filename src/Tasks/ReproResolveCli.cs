using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Repro.Pipeline.Stages;
using Repro.Tasks.CliLocation;

namespace Repro.Tasks;

/// <summary>
/// Finds the `repro` CLI the stages run, in this order:
///   1. ReproCliPath, when set (a repro.dll, or an executable);
///   2. the `repro` command of the nearest local tool manifest (dotnet-tools.json listing Repro.Cli),
///      from NuGet's global packages folder, where `dotnet tool restore` puts it;
///   3. a `repro` on PATH (a global tool).
/// A manifest entry that is not restored yet is reported in <see cref="ManifestToRestore"/> rather than
/// as an error: the targets run `dotnet tool restore` and ask again with <see cref="FailIfNotFound"/>.
/// A CLI of another version than this task assembly gets a warning: stage keys stay correct (the CLI's
/// version is part of them), but the command-line contract between the two may have moved.
/// </summary>
public sealed class ReproResolveCli : Microsoft.Build.Utilities.Task
{
    public const string Command = "repro";

    /// <summary>Where the search for a tool manifest starts (the project folder).</summary>
    [Required] public string ProjectDirectory { get; set; } = "";
    /// <summary>ReproCliPath: an explicit repro.dll or executable; wins over everything else.</summary>
    public string? CliPath { get; set; }
    /// <summary>NuGet's global packages folder ($(NuGetPackageRoot)); default NUGET_PACKAGES, else ~/.nuget/packages.</summary>
    public string? PackageRoot { get; set; }
    /// <summary>The folders searched for a `repro` command; default the PATH of the build.</summary>
    public string? SearchPath { get; set; }
    /// <summary>The platform whose tool package to use; default this process's (e.g. linux-x64).</summary>
    public string? RuntimeIdentifier { get; set; }
    /// <summary>Report an unrestored manifest entry as an error (after `dotnet tool restore` has run).</summary>
    public bool FailIfNotFound { get; set; }
    /// <summary>The experiment file, where errors are located.</summary>
    public string? Experiment { get; set; }
    /// <summary>The version the CLI should have; default this assembly's.</summary>
    public string? ExpectedVersion { get; set; }

    /// <summary>The CLI to run: repro.dll (run with the dotnet host) or an executable. Empty when not found.</summary>
    [Output] public string ResolvedCliPath { get; private set; } = "";
    /// <summary>A tool manifest that lists `repro` whose package is not restored yet.</summary>
    [Output] public string ManifestToRestore { get; private set; } = "";

    public override bool Execute()
    {
        try
        {
            Resolve();
        }
        catch (BadInputException e)
        {
            Log.LogError(null, ReproCodes.CliMissing, null, Experiment, 0, 0, 0, 0, "{0}", e.Message);
        }
        return !Log.HasLoggedErrors;
    }

    private void Resolve()
    {
        if (!string.IsNullOrWhiteSpace(CliPath))
        {
            string path = Path.GetFullPath(Path.Combine(ProjectDirectory, CliPath));
            if (!File.Exists(path))
                throw new BadInputException($"ReproCliPath '{CliPath}': {path} not found.");
            Found(path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? path : CommandOnPath.AssemblyBeside(path), "ReproCliPath");
            return;
        }

        string packageRoot = PackageRootOrDefault();
        if (ToolManifest.Find(ProjectDirectory, Command) is { } entry)
        {
            string rid = string.IsNullOrWhiteSpace(RuntimeIdentifier) ? CurrentRuntimeIdentifier() : RuntimeIdentifier;
            string? entryPoint = ToolPackageLayout.FindEntryPoint(packageRoot, entry.PackageId, entry.Version, Command, rid);
            if (entryPoint != null)
            {
                Found(entryPoint, $"tool {entry.PackageId} {entry.Version} of {entry.ManifestPath}");
                return;
            }
            if (FailIfNotFound)
                throw new BadInputException($"tool manifest {entry.ManifestPath} lists {entry.PackageId} {entry.Version} for `{Command}`, but it is not in {packageRoot} after `dotnet tool restore`.");
            ManifestToRestore = entry.ManifestPath;
            Log.LogMessage(MessageImportance.High, "Repro: restoring the `{0}` tool ({1} {2}) listed in {3}", Command, entry.PackageId, entry.Version, entry.ManifestPath);
            return;
        }

        if (CommandOnPath.Find(Command, SearchPath ?? Environment.GetEnvironmentVariable("PATH")) is { } onPath)
        {
            Found(onPath, "PATH");
            return;
        }

        throw new BadInputException(
            $"no `{Command}` CLI: no tool manifest (dotnet-tools.json) at or above {ProjectDirectory} lists it and none is on PATH; " +
            $"install it with `dotnet new tool-manifest && dotnet tool install Repro.Cli --version {OwnVersion()}`, or set ReproCliPath to a repro.dll.");
    }

    private void Found(string path, string source)
    {
        ResolvedCliPath = path;
        Log.LogMessage(MessageImportance.Low, "Repro: `{0}` CLI {1} (from {2})", Command, path, source);
        if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            return;
        string expected = string.IsNullOrWhiteSpace(ExpectedVersion) ? OwnVersion() : RuntimeIdentity.WithoutBuildMetadata(ExpectedVersion);
        string actual = RuntimeIdentity.ProductVersion(path);
        if (actual != RuntimeIdentity.Unknown && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            Log.LogWarning(null, ReproCodes.CliVersionMismatch, null, Experiment, 0, 0, 0, 0,
                "the `{0}` CLI ({1}, from {2}) is version {3} but Repro.Tasks is {4}; keep them at one version (dotnet tool update Repro.Cli --version {4}).",
                Command, path, source, actual, expected);
    }

    private string PackageRootOrDefault()
    {
        if (!string.IsNullOrWhiteSpace(PackageRoot))
            return Path.GetFullPath(PackageRoot);
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnvironment)
            return Path.GetFullPath(fromEnvironment);
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    /// <summary>The portable RID (linux-x64, osx-arm64, win-x64) tool packages are published for.</summary>
    internal static string CurrentRuntimeIdentifier()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    internal static string OwnVersion() => RuntimeIdentity.ProductVersion(typeof(ReproResolveCli).Assembly.Location);
}
