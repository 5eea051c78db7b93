using Repro.Tasks;

namespace Repro.Tasks.Tests;

/// <summary>A temp experiment (tests/experiments/tiny), its own cache, and tasks wired to the stand-in CLI.</summary>
public sealed class TaskFixture : IDisposable
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string FakeCli => Path.Combine(RepoRoot, "tests", "TestAssets", "fake-repro");

    public TaskFixture()
    {
        Root = Directory.CreateTempSubdirectory("repro-tasks-test-").FullName;
        ExperimentPath = Path.Combine(Root, "experiment.json");
        File.Copy(Path.Combine(RepoRoot, "tests", "experiments", "tiny", "experiment.json"), ExperimentPath);
        RunLog = Path.Combine(Root, "runs.log");
    }

    public string Root { get; }
    public string ExperimentPath { get; }
    public string OutputDir => Path.Combine(Root, "out");
    public string CacheDir => Path.Combine(Root, "cache");
    public string RunLog { get; }
    public string[] Runs => File.Exists(RunLog) ? File.ReadAllLines(RunLog) : Array.Empty<string>();

    public ReproPlanStage Plan(string stage, MockBuildEngine engine, Action<ReproPlanStage>? set = null)
    {
        var t = new ReproPlanStage { BuildEngine = engine, Stage = stage, Experiment = ExperimentPath, OutputDir = OutputDir, CacheDir = CacheDir, CliPath = FakeCli, RuntimeVersion = "repro 0.1.0; TorchSharp 0.107.0" };
        set?.Invoke(t);
        return t;
    }

    public T Stage<T>(MockBuildEngine engine, Action<T>? set = null) where T : ReproStageTask, new()
    {
        var t = new T { BuildEngine = engine, Experiment = ExperimentPath, OutputDir = OutputDir, CacheDir = CacheDir, CliPath = FakeCli, RuntimeVersion = "repro 0.1.0; TorchSharp 0.107.0" };
        t.EnvironmentVariables = new[] { "FAKE_REPRO_LOG=" + RunLog };
        set?.Invoke(t);
        return t;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found");
    }
}
