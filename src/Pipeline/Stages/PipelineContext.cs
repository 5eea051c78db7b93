using Repro.Pipeline.Cache;
using Repro.Pipeline.Experiments;
using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Stages;

/// <summary>What every front door (MSBuild, Cake, `repro run`) gives the engine, as plain strings.</summary>
public sealed record PipelineRequest
{
    public required string ExperimentPath { get; init; }
    public required string OutputDirectory { get; init; }
    public required string CacheDirectory { get; init; }
    public string? LockRecordPath { get; init; }
    /// <summary>repro.dll (or its apphost); its version enters every key. Needed unless RuntimeVersion is given.</summary>
    public string? CliPath { get; init; }
    /// <summary>Overrides the version read from CliPath, e.g. for a `repro` tool on PATH.</summary>
    public string? RuntimeVersion { get; init; }
    public PipelineOverrides Overrides { get; init; } = PipelineOverrides.None;
    /// <summary>Restore and store by hard link instead of copy (see ContentCache.UseHardLinks).</summary>
    public bool CacheHardLinks { get; init; }
}

/// <summary>One experiment, ready to plan and run: definition, file locations, cache, hash memo, runtime.</summary>
public sealed class PipelineContext
{
    public PipelineContext(ExperimentPipeline pipeline, PipelineWorkspace workspace, RuntimeIdentity runtime, FileHashMemo? memo = null, bool cacheHardLinks = false)
    {
        Pipeline = pipeline;
        Workspace = workspace;
        Runtime = runtime;
        Memo = memo ?? new FileHashMemo(workspace.MemoPath);
        Cache = new ContentCache(workspace.CacheDirectory, cacheHardLinks);
    }

    public ExperimentPipeline Pipeline { get; }
    public PipelineWorkspace Workspace { get; }
    public RuntimeIdentity Runtime { get; }
    public FileHashMemo Memo { get; }
    public ContentCache Cache { get; }
    public ExperimentDefinition Experiment => Pipeline.Experiment;

    public string DeviceKind => Devices.Kind(Pipeline.Execution.Device, Runtime.HasCuda);

    /// <param name="extraTools">Versions of the front door (msbuild, cake) to record beside the runtime's.</param>
    public static PipelineContext Create(PipelineRequest request, FileHashMemo? memo = null, IReadOnlyDictionary<string, string>? extraTools = null)
    {
        var experiment = ExperimentDefinition.Load(request.ExperimentPath);
        var pipeline = ExperimentPipeline.Create(experiment, request.Overrides);
        var workspace = new PipelineWorkspace(request.OutputDirectory, request.CacheDirectory, request.LockRecordPath);
        RuntimeIdentity runtime = !string.IsNullOrWhiteSpace(request.RuntimeVersion)
            ? RuntimeIdentity.Explicit(request.RuntimeVersion.Trim(), hasCuda: false)
            : !string.IsNullOrWhiteSpace(request.CliPath)
                ? RuntimeIdentity.FromCli(request.CliPath)
                : throw new BadInputException("ReproCliPath is not set: the runtime version is part of every stage key.");
        foreach (var (name, version) in extraTools ?? new Dictionary<string, string>())
            runtime = runtime.WithTool(name, version);
        return new PipelineContext(pipeline, workspace, runtime, memo, request.CacheHardLinks);
    }
}
