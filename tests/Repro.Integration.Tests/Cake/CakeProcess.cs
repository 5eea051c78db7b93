using System.Reflection;

namespace Repro.Integration.Tests.Cake;

/// <summary>
/// The real `dotnet cake` (the tool pinned in .config/dotnet-tools.json) on the repository's
/// build.cake. Builds run in this test assembly's configuration, so the tools they use are the ones
/// already built. Colour is off, so output can be matched as text.
/// </summary>
public static class CakeProcess
{
    public static string Configuration { get; } =
        typeof(CakeProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string TinyProject => Path.Combine(ReproProcess.RepoRoot, "tests", "experiments", "tiny", "tiny.csproj");

    private static readonly Lazy<ProcessResult> ToolRestore = new(() => ReproProcess.Run("dotnet", "tool restore", ReproProcess.RepoRoot, TimeSpan.FromMinutes(3)));

    /// <param name="tempDir">TMPDIR for the run: Verify's rerun folder and the build summary go there.</param>
    public static ProcessResult Run(string arguments, string tempDir, TimeSpan? timeout = null)
    {
        var restore = ToolRestore.Value;
        Assert.True(restore.ExitCode == 0, restore.ToString());
        return ReproProcess.Run("dotnet", $"cake {arguments}", ReproProcess.RepoRoot, timeout ?? TimeSpan.FromMinutes(5),
            new Dictionary<string, string> { ["NO_COLOR"] = "1", ["TMPDIR"] = tempDir });
    }

    /// <summary>`dotnet build` of the tiny experiment, as a user would type it after Cake.</summary>
    public static ProcessResult Build(string target, string tempDir, params string[] properties) =>
        ReproProcess.Run("dotnet",
            $"build \"{TinyProject}\" -t:{target} -c {Configuration} -nologo -nr:false" + string.Concat(properties.Select(p => $" \"-p:{p}\"")),
            ReproProcess.RepoRoot, TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["TMPDIR"] = tempDir });
}

/// <summary>Cake runs build the tiny experiment in the repository: one at a time, and not beside other builds.</summary>
[CollectionDefinition("dotnet cake", DisableParallelization = true)]
public sealed class DotnetCakeCollection;
