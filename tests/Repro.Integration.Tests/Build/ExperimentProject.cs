using System.Reflection;
using System.Text.RegularExpressions;

namespace Repro.Integration.Tests.Build;

/// <summary>Real `dotnet build` runs share two cores: run the build tests one class at a time.</summary>
[CollectionDefinition("dotnet build", DisableParallelization = true)]
public sealed class DotnetBuildCollection;

/// <summary>
/// A copy of tests/experiments/tiny in a temp folder, as a NoTargets project importing Repro's
/// targets (src/Tasks/build) and the task assembly built beside these tests, exactly as a package
/// user would get them. The stages run the real `repro` CLI or, for tests of the MSBuild layer
/// alone, tests/TestAssets/fake-repro (same commands, options and outputs; FAKE_REPRO_LOG counts runs).
/// </summary>
public sealed class ExperimentProject : IDisposable
{
    public static string TasksAssembly => Path.Combine(AppContext.BaseDirectory, "Repro.Tasks.dll");
    public static string FakeCli => Path.Combine(ReproProcess.RepoRoot, "tests", "TestAssets", "fake-repro");
    public static string Configuration { get; } =
        typeof(ExperimentProject).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly TempFolder _folder = ReproProcess.TempFolder("repro-build-test");
    private bool _restored;

    public ExperimentProject(string? cacheDir = null, bool realCli = false, string name = "tiny")
    {
        Root = _folder.Path;
        CacheDir = cacheDir ?? Path.Combine(Root, "cache");
        RealCli = realCli;
        File.Copy(Path.Combine(ReproProcess.RepoRoot, "tests", "experiments", "tiny", "experiment.json"), ExperimentPath);
        string repo = ReproProcess.RepoRoot;
        string cli = realCli ? ReproProcess.ReproDll : FakeCli;
        string version = realCli ? "" : "<ReproRuntimeVersion>repro 0.1.0; TorchSharp 0.107.0</ReproRuntimeVersion>";
        File.WriteAllText(ProjectPath, $"""
            <Project Sdk="Microsoft.Build.NoTargets/3.7.0">
              <Import Project="{repo}/src/Tasks/build/Repro.props" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ReproTasksAssembly>{TasksAssembly}</ReproTasksAssembly>
                <ReproCliPath>{cli}</ReproCliPath>
                {version}
                <ReproCacheDir>{CacheDir}</ReproCacheDir>
              </PropertyGroup>
              <Import Project="{repo}/src/Tasks/build/Repro.targets" />
            </Project>
            """);
        ProjectName = name;
    }

    public string Root { get; }
    public string ProjectName { get; }
    public string ProjectPath => Path.Combine(Root, "tiny.csproj");
    public string ExperimentPath => Path.Combine(Root, "experiment.json");
    public string OutDir => Path.Combine(Root, "out");
    public string CacheDir { get; }
    public bool RealCli { get; }
    public string RunLog => Path.Combine(Root, "runs.log");
    public string[] Runs => File.Exists(RunLog) ? File.ReadAllLines(RunLog) : Array.Empty<string>();
    public string Output(string stage, string file) => Path.Combine(OutDir, stage, file);

    public void Edit(Func<string, string> change) => File.WriteAllText(ExperimentPath, change(File.ReadAllText(ExperimentPath)));

    /// <summary>`dotnet build -t:<target>`; node reuse off, so no build server outlives the test.</summary>
    public ProcessResult Build(string target, params string[] properties)
    {
        string args = $"build \"{ProjectPath}\" -t:{target} -nologo -nr:false -p:Configuration={Configuration}"
            + (_restored ? " --no-restore" : "")
            + string.Concat(properties.Select(p => $" \"-p:{p}\""));
        var r = ReproProcess.Run("dotnet", args, Root, TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["FAKE_REPRO_LOG"] = RunLog });
        _restored |= r.ExitCode == 0;
        return r;
    }

    /// <summary>The "Repro: …" lines of a build's output, trimmed.</summary>
    public static string[] ReproLines(ProcessResult r)
        => r.StdOut.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Repro", StringComparison.Ordinal)).ToArray();

    /// <summary>MSBuild's "error CODE: message" lines.</summary>
    public static string[] Errors(ProcessResult r, string code)
        => r.All.Split('\n').Where(l => Regex.IsMatch(l, $@"\berror {code}\b")).Select(l => l.Trim()).Distinct().ToArray();

    public static string[] Warnings(ProcessResult r, string code)
        => r.All.Split('\n').Where(l => Regex.IsMatch(l, $@"\bwarning {code}\b")).Select(l => l.Trim()).Distinct().ToArray();

    public void Dispose() => _folder.Dispose();
}
