namespace Repro.Pipeline.Stages;

/// <summary>One run of the `repro` CLI for a stage: arguments (command first), working folder (the experiment's), staging folder.</summary>
public sealed record StageInvocation(StageDefinition Stage, IReadOnlyList<string> Arguments, string WorkingDirectory, string StagingDirectory);

/// <summary>Runs a stage's command out of process. MSBuild's is a ToolTask; true means exit code 0.</summary>
public interface IStageRunner
{
    bool Run(StageInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>Where the engine reports. Status lines are what a user sees at minimal verbosity.</summary>
public interface IPipelineLog
{
    void Status(string message);
    void Detail(string message);
    void Warning(string code, string message);
}

/// <summary>Diagnostic codes the engine raises itself (the MSBuild layer adds its own REPRO1xxx).</summary>
public static class EngineCodes
{
    public const string CorruptCacheEntry = "REPRO1202";
    public const string CacheStoreFailed = "REPRO1203";
    public const string LockRecordDamaged = "REPRO1204";
}
