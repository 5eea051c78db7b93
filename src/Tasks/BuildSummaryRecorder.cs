using Microsoft.Build.Utilities;
using Repro.Pipeline.Stages;

namespace Repro.Tasks;

/// <summary>
/// Writes a stage's outcome to the build summary file when ReproBuildSummaryFile is set. The summary
/// is a report for the caller, not part of the stage's result, so failing to write it is a warning.
/// </summary>
internal static class BuildSummaryRecorder
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(1);

    public static void Record(TaskLoggingHelper log, string? file, string experimentPath, Func<BuildSummaryEntry> entry)
    {
        if (string.IsNullOrWhiteSpace(file))
            return;
        try
        {
            BuildSummary.Record(file, entry(), LockTimeout);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or BadInputException)
        {
            log.LogWarning(null, ReproCodes.BuildSummaryIo, null, experimentPath, 0, 0, 0, 0,
                "ReproBuildSummaryFile '{0}': could not record the stage's outcome: {1}", file, e.Message);
        }
    }

    /// <summary>A stage that failed before the engine could report a result (bad input, missing outputs, a timeout).</summary>
    public static BuildSummaryEntry Failure(PipelineContext context, StageName stage, TimeSpan elapsed) => new(
        context.Experiment.Name, context.Workspace.OutputDirectory, stage.Id, stage.Target,
        StageOutcome.Failed.ToString(), elapsed.TotalSeconds, null, "see the build's errors");
}
