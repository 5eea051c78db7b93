using Repro.Pipeline.Experiments;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Stages;

namespace Repro.Tasks;

/// <summary>The settings every Repro task takes, mirroring the MSBuild properties of the same names.</summary>
internal interface IReproPipelineTask
{
    string Experiment { get; }
    string OutputDir { get; }
    string CacheDir { get; }
    string? LockFile { get; }
    string? CliPath { get; }
    string? RuntimeVersion { get; }
    string? NumSamples { get; }
    string? BatchSize { get; }
    string? Estimator { get; }
    string? Seed { get; }
    string? Ranks { get; }
    string? Device { get; }
    string? Threads { get; }
    bool CacheHardLinks { get; }
}

internal static class ReproPipelineTaskExtensions
{
    public static string ExperimentFullPath(this IReproPipelineTask task) => Path.GetFullPath(task.Experiment);

    /// <summary>
    /// The context for this task's settings. The file-hash memo is shared by all Repro tasks of one
    /// build through MSBuild's task-object registry, so each file is stat'ed and hashed at most once per build.
    /// </summary>
    public static PipelineContext CreateContext(this IReproPipelineTask task, Microsoft.Build.Framework.IBuildEngine engine)
    {
        var request = new PipelineRequest
        {
            ExperimentPath = task.ExperimentFullPath(),
            OutputDirectory = task.OutputDir,
            CacheDirectory = task.CacheDir,
            LockRecordPath = string.IsNullOrWhiteSpace(task.LockFile) ? null : task.LockFile,
            CliPath = task.CliPath,
            RuntimeVersion = task.RuntimeVersion,
            Overrides = PipelineOverrides.FromStrings(task.NumSamples, task.BatchSize, task.Estimator, task.Seed, task.Ranks, task.Device, task.Threads),
            CacheHardLinks = task.CacheHardLinks,
        };
        var workspace = new PipelineWorkspace(request.OutputDirectory, request.CacheDirectory, request.LockRecordPath);
        FileHashMemo memo = SharedMemo(engine, workspace.MemoPath);
        return PipelineContext.Create(request, memo, new Dictionary<string, string> { ["msbuild"] = MSBuildVersion });
    }

    private static string MSBuildVersion { get; } =
        RuntimeIdentity.ProductVersion(typeof(Microsoft.Build.Framework.ITask).Assembly.Location);

    private static FileHashMemo SharedMemo(Microsoft.Build.Framework.IBuildEngine engine, string memoPath)
    {
        if (engine is not Microsoft.Build.Framework.IBuildEngine4 e4)
            return new FileHashMemo(memoPath);
        string key = "Repro.FileHashMemo:" + memoPath;
        if (e4.GetRegisteredTaskObject(key, Microsoft.Build.Framework.RegisteredTaskObjectLifetime.Build) is FileHashMemo existing)
            return existing;
        var memo = new FileHashMemo(memoPath);
        e4.RegisterTaskObject(key, memo, Microsoft.Build.Framework.RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        return memo;
    }
}
