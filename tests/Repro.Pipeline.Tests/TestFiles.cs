using Repro.Pipeline.Experiments;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests;

/// <summary>A temp folder with the tiny test experiment in it, removed on dispose.</summary>
public sealed class TempExperiment : IDisposable
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string TinyExperimentJson => File.ReadAllText(Path.Combine(RepoRoot, "tests", "experiments", "tiny", "experiment.json"));

    public TempExperiment(string? json = null)
    {
        Root = Path.Combine(Path.GetTempPath(), $"repro-pipeline-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        ExperimentPath = Path.Combine(Root, "experiment.json");
        File.WriteAllText(ExperimentPath, json ?? TinyExperimentJson);
    }

    public string Root { get; }
    public string ExperimentPath { get; }
    public string OutputDir => Path.Combine(Root, "out");
    public string CacheDir => Path.Combine(Root, "cache");

    public void Edit(Func<string, string> change) => File.WriteAllText(ExperimentPath, change(File.ReadAllText(ExperimentPath)));

    public PipelineContext Context(PipelineOverrides? overrides = null, string? outputDir = null, string runtime = "repro 0.1.0; TorchSharp 0.107.0")
        => PipelineContext.Create(new PipelineRequest
        {
            ExperimentPath = ExperimentPath,
            OutputDirectory = outputDir ?? OutputDir,
            CacheDirectory = CacheDir,
            RuntimeVersion = runtime,
            Overrides = overrides ?? PipelineOverrides.None,
        });

    public string Key(StageName stage, PipelineOverrides? overrides = null)
        => new PipelinePlanner(Context(overrides)).Plan(stage).Key ?? throw new InvalidOperationException("no key");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// An in-process stand-in for `repro`: writes each stage's outputs as deterministic functions of
/// the arguments that decide them (never of the staging path), and counts its runs.
/// </summary>
public sealed class FakeRunner : IStageRunner
{
    private readonly object _gate = new();
    public List<string> Runs { get; } = new();
    public Func<StageInvocation, bool>? Fail { get; set; }
    public TimeSpan Delay { get; set; }

    public bool Run(StageInvocation invocation, CancellationToken cancellationToken)
    {
        lock (_gate) Runs.Add(invocation.Stage.Name.Id);
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        if (Fail?.Invoke(invocation) == true)
        {
            // A failing tool may leave partial files behind in its staging folder.
            File.WriteAllText(Path.Combine(invocation.StagingDirectory, invocation.Stage.Outputs[0]), "partial");
            return false;
        }
        var args = invocation.Arguments;
        string Opt(string name) => args[args.ToList().IndexOf(name) + 1];
        switch (invocation.Stage.Name.Id)
        {
            case "train":
                foreach (var f in invocation.Stage.Outputs)
                    File.WriteAllText(Path.Combine(invocation.StagingDirectory, f), $"{f} seed={Opt("--seed")}");
                break;
            case "checkpoint":
                string recal = ContentHash.OfFile(Opt("--in"));
                File.WriteAllText(Path.Combine(invocation.StagingDirectory, "model.safetensors"), "published " + recal);
                File.WriteAllText(Path.Combine(invocation.StagingDirectory, "model.pt"), "pt " + recal);
                break;
            default:
                string from = ContentHash.OfFile(Opt("--checkpoint"));
                File.WriteAllText(Opt("--out"), $"{args[0]} samples={Opt("--samples")} batch={Opt("--batch-size")} est={Opt("--estimator")} from={from}");
                File.WriteAllText(Opt("--report"), $"{{\"samples\":{Opt("--samples")}}}");
                break;
        }
        return true;
    }

    public int Count(string stage) { lock (_gate) return Runs.Count(r => r == stage); }
}

/// <summary>Collects engine log lines.</summary>
public sealed class ListLog : IPipelineLog
{
    public List<string> Lines { get; } = new();
    public List<(string Code, string Message)> Warnings { get; } = new();
    public void Status(string message) { lock (Lines) Lines.Add(message); }
    public void Detail(string message) { lock (Lines) Lines.Add(message); }
    public void Warning(string code, string message) { lock (Warnings) Warnings.Add((code, message)); }
    public override string ToString() => string.Join("\n", Lines.Concat(Warnings.Select(w => $"{w.Code}: {w.Message}")));
}
