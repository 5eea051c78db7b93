using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Repro.Pipeline.Stages;

namespace Repro.Tasks;

/// <summary>
/// Computes a stage's key in-process (hashes are memoised, nothing runs) and says whether the stage
/// is up to date, can be restored from the cache, or must run, and why. The targets write the key
/// to the stage's stamp file; in a dry run this is all that happens.
/// </summary>
public sealed class ReproPlanStage : Microsoft.Build.Utilities.Task, IReproPipelineTask
{
    /// <summary>train | precise-bn | checkpoint | ema (or the target names).</summary>
    [Required] public string Stage { get; set; } = "";
    [Required] public string Experiment { get; set; } = "";
    [Required] public string OutputDir { get; set; } = "";
    [Required] public string CacheDir { get; set; } = "";
    public string? LockFile { get; set; }
    public string? CliPath { get; set; }
    public string? RuntimeVersion { get; set; }
    public string? NumSamples { get; set; }
    public string? BatchSize { get; set; }
    public string? Estimator { get; set; }
    public string? Seed { get; set; }
    public string? Ranks { get; set; }
    public string? Device { get; set; }
    public string? Threads { get; set; }
    /// <summary>Restore from and store into the cache by hard link instead of copy.</summary>
    public bool CacheHardLinks { get; set; }
    /// <summary>Report the plan as "[dry run]" lines; the targets then run nothing.</summary>
    public bool DryRun { get; set; }
    /// <summary>Optional: the build summary file (ReproBuildSummaryFile); an up-to-date stage is recorded here, since MSBuild then skips its run target.</summary>
    public string? BuildSummaryFile { get; set; }

    /// <summary>The stage key (empty when it depends on an upstream stage that has yet to run).</summary>
    [Output] public string Key { get; private set; } = "";
    /// <summary>UpToDate | Restore | Run.</summary>
    [Output] public string Status { get; private set; } = "";
    [Output] public string Reason { get; private set; } = "";
    /// <summary>The stage's output files (full paths).</summary>
    [Output] public ITaskItem[] OutputFiles { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var stage = StageName.Parse(Stage);
            var context = this.CreateContext(BuildEngine);
            var plan = new PipelinePlanner(context).Plan(stage);
            if (!DryRun)
                context.Memo.Save(); // a dry run leaves no trace, not even hashing state
            Key = plan.Key ?? "";
            Status = plan.Status.ToString();
            Reason = plan.Reason;
            OutputFiles = plan.Stage.Outputs.Select(f => (ITaskItem)new TaskItem(context.Workspace.OutputPath(stage, f))).ToArray();
            if (DryRun)
                Log.LogMessage(MessageImportance.High, "Repro [dry run] {0}", plan.Describe());
            else
                Log.LogMessage(MessageImportance.High, "Repro: {0}", plan.Describe());
            if (!DryRun && plan.Status == StageStatus.UpToDate)
                BuildSummaryRecorder.Record(Log, BuildSummaryFile, this.ExperimentFullPath(), () => BuildSummary.Entry(context, plan, StageOutcome.UpToDate, clock.Elapsed));
        }
        catch (BadInputException e)
        {
            Log.LogError(null, ReproCodes.BadInput, null, this.ExperimentFullPath(), 0, 0, 0, 0, "{0}", e.Message);
        }
        catch (IOException e)
        {
            Log.LogError(null, ReproCodes.CacheIo, null, this.ExperimentFullPath(), 0, 0, 0, 0, "{0}: {1}", Stage, e.Message);
        }
        return !Log.HasLoggedErrors;
    }
}
