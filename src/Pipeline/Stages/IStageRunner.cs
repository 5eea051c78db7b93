namespace Repro.Pipeline.Stages;

/// <summary>One run of the `repro` CLI for a stage: arguments (command first), working folder (the experiment's), staging folder.</summary>
public sealed record StageInvocation(StageDefinition Stage, IReadOnlyList<string> Arguments, string WorkingDirectory, string StagingDirectory);

/// <summary>Runs a stage's command out of process. MSBuild's is a ToolTask; true means exit code 0.</summary>
public interface IStageRunner
{
    bool Run(StageInvocation invocation, CancellationToken cancellationToken);
}
