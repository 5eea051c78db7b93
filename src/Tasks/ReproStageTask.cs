using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Repro.Pipeline.Stages;

namespace Repro.Tasks;

/// <summary>
/// Brings one stage up to date through the stage engine: up to date, restored from the cache, or
/// run by the `repro` CLI as a child process (this ToolTask). libtorch therefore only ever loads in
/// that child, never in an MSBuild node. The CLI's output goes to the log at normal importance;
/// its `repro: error:` line becomes a coded error located at the experiment file.
/// </summary>
public abstract class ReproStageTask : ToolTask, IReproPipelineTask
{
    private StageInvocation? _invocation;
    private readonly List<string> _cliErrors = new();

    private protected ReproStageTask()
    {
        // The CLI's own progress is detail; the stage's outcome line is logged at high importance.
        StandardOutputImportance = "normal";
        StandardErrorImportance = "normal";
        YieldDuringToolExecution = true;
    }

    private protected abstract StageName StageName { get; }

    [Required] public string Experiment { get; set; } = "";
    [Required] public string OutputDir { get; set; } = "";
    [Required] public string CacheDir { get; set; } = "";
    public string? LockFile { get; set; }
    /// <summary>repro.dll (run with the dotnet host) or an executable such as a `repro` tool on PATH.</summary>
    [Required] public string CliPath { get; set; } = "";
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
    /// <summary>How long to wait for another build that holds this stage's cache lock.</summary>
    public int LockTimeoutSeconds { get; set; } = 4 * 3600;
    /// <summary>Optional: the build summary file (ReproBuildSummaryFile) that records what this build did with the stage.</summary>
    public string? BuildSummaryFile { get; set; }

    /// <summary>UpToDate | Restored | Ran | Failed.</summary>
    [Output] public string Outcome { get; private set; } = "";
    /// <summary>The stage's output files (full paths).</summary>
    [Output] public ITaskItem[] Outputs { get; private set; } = Array.Empty<ITaskItem>();

    protected override string ToolName => "repro";

    private bool CliIsAssembly => CliPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    public override bool Execute()
    {
        string experiment = this.ExperimentFullPath();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        PipelineContext? context = null;
        try
        {
            context = this.CreateContext(BuildEngine);
            var executor = new StageExecutor(context, new MSBuildPipelineLog(Log, experiment), TimeSpan.FromSeconds(LockTimeoutSeconds));
            var result = executor.Execute(StageName, new ToolRunner(this));
            Outcome = result.Outcome.ToString();
            Outputs = result.Plan.Stage.Outputs.Select(f => (ITaskItem)new TaskItem(context.Workspace.OutputPath(StageName, f))).ToArray();
            BuildSummaryRecorder.Record(Log, BuildSummaryFile, experiment, () => BuildSummary.Entry(context, result.Plan, result.Outcome, result.Elapsed));
        }
        catch (BadInputException e)
        {
            Log.LogError(null, ReproCodes.BadInput, null, experiment, 0, 0, 0, 0, "{0}", e.Message);
        }
        catch (StageOutputException e)
        {
            Log.LogError(null, ReproCodes.StageOutputsMissing, null, experiment, 0, 0, 0, 0, "{0}", e.Message);
        }
        catch (TimeoutException e)
        {
            Log.LogError(null, ReproCodes.CacheLockTimeout, null, experiment, 0, 0, 0, 0,
                "{0}: gave up waiting for another build ({1}); raise ReproLockTimeoutSeconds or check for a hung build.", StageName.Target, e.Message);
        }
        catch (InvalidOperationException e)
        {
            Log.LogError(null, ReproCodes.UpstreamMissing, null, experiment, 0, 0, 0, 0, "{0}", e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, ReproCodes.CacheIo, null, experiment, 0, 0, 0, 0, "{0}: {1}", StageName.Target, e.Message);
        }
        if (Outcome.Length == 0 && context is not null)
            BuildSummaryRecorder.Record(Log, BuildSummaryFile, experiment, () => BuildSummaryRecorder.Failure(context, StageName, clock.Elapsed));
        return !Log.HasLoggedErrors;
    }

    protected override string GenerateFullPathToTool()
    {
        if (!CliIsAssembly)
            return CliPath;
        // The SDK tells tasks which dotnet host runs this build; fall back to PATH.
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    protected override string GenerateCommandLineCommands() => CommandLineFor(_invocation!);

    internal string CommandLineFor(StageInvocation invocation)
    {
        var args = new List<string>();
        if (CliIsAssembly)
            args.AddRange(new[] { "exec", Path.GetFullPath(CliPath) });
        args.AddRange(invocation.Arguments);
        return string.Join(" ", args.Select(Quote));
    }

    protected override string GetWorkingDirectory() => _invocation!.WorkingDirectory;

    protected override bool ValidateParameters() => _invocation != null;

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        const string errorPrefix = "repro: error:";
        const string warningPrefix = "repro: warning:";
        if (singleLine.StartsWith(errorPrefix, StringComparison.Ordinal))
            _cliErrors.Add(singleLine[errorPrefix.Length..].Trim());
        else if (singleLine.StartsWith(warningPrefix, StringComparison.Ordinal))
            Log.LogWarning(null, ReproCodes.CliWarning, null, this.ExperimentFullPath(), 0, 0, 0, 0, "{0}: {1}", StageName.Target, singleLine[warningPrefix.Length..].Trim());
        else
            base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <summary>One coded error instead of ToolTask's generic MSB6006: exit 2 is the user's input, anything else a failure.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        string code = ExitCode == 2 ? ReproCodes.StageBadInput : ReproCodes.StageFailed;
        string detail = _cliErrors.Count > 0 ? string.Join(" ", _cliErrors) : $"exited with code {ExitCode}";
        Log.LogError(null, code, null, this.ExperimentFullPath(), 0, 0, 0, 0, "{0}: `repro {1}` failed: {2}", StageName.Target, StageName.Id, detail);
        return false;
    }

    private bool RunTool(StageInvocation invocation)
    {
        _invocation = invocation;
        _cliErrors.Clear();
        EnvironmentVariables = (EnvironmentVariables ?? Array.Empty<string>())
            .Concat(new[] { "NO_COLOR=1", "TERM=dumb", "DOTNET_NOLOGO=1" }).ToArray();
        return base.Execute() && ExitCode == 0;
    }

    /// <summary>Quotes for ToolTask's command line (parsed with the Windows rules on every OS).</summary>
    internal static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '"'))
            return arg;
        var sb = new StringBuilder("\"");
        int backslashes = 0;
        foreach (char c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            if (c == '"') { sb.Append('\\', backslashes * 2 + 1).Append('"'); backslashes = 0; continue; }
            sb.Append('\\', backslashes).Append(c);
            backslashes = 0;
        }
        sb.Append('\\', backslashes * 2).Append('"');
        return sb.ToString();
    }

    private sealed class ToolRunner : IStageRunner
    {
        private readonly ReproStageTask _task;
        public ToolRunner(ReproStageTask task) => _task = task;
        public bool Run(StageInvocation invocation, CancellationToken cancellationToken) => _task.RunTool(invocation);
    }
}

/// <summary>`repro train`: model.safetensors, ema.safetensors, metrics.json.</summary>
public sealed class ReproTrain : ReproStageTask
{
    private protected override StageName StageName => StageName.Train;
}

/// <summary>`repro precise-bn`: the recalibrated model and its report.</summary>
public sealed class ReproPreciseBn : ReproStageTask
{
    private protected override StageName StageName => StageName.PreciseBn;
}

/// <summary>`repro checkpoint`: publishes the recalibrated model as safetensors and .pt, reloaded and hash-checked.</summary>
public sealed class ReproCheckpoint : ReproStageTask
{
    private protected override StageName StageName => StageName.Checkpoint;
}

/// <summary>`repro ema`: the EMA weights, recalibrated like the model.</summary>
public sealed class ReproEma : ReproStageTask
{
    private protected override StageName StageName => StageName.Ema;
}
