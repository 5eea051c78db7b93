using System.Diagnostics;
using Repro.Pipeline.Cache;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.IO;
using Repro.Pipeline.Lock;

namespace Repro.Pipeline.Stages;

public enum StageOutcome { UpToDate, Restored, Ran, Failed }

public sealed record StageResult(StageOutcome Outcome, StagePlan Plan, TimeSpan Elapsed);

/// <summary>A stage's command exited 0 but did not write what it promised.</summary>
public sealed class StageOutputException : Exception
{
    public StageOutputException(string message) : base(message) { }
}

/// <summary>
/// Brings one stage up to date: under the cache lock for its key, plan again (another build may
/// have just stored it), then restore from the cache or run the command in a staging folder, move
/// the results into place, store them and record the stage in the lock record. A failed run
/// leaves neither outputs nor a cache entry.
/// </summary>
public sealed class StageExecutor
{
    private readonly PipelineContext _context;
    private readonly IPipelineLog _log;
    private readonly TimeSpan _lockTimeout;

    public StageExecutor(PipelineContext context, IPipelineLog log, TimeSpan lockTimeout)
    {
        _context = context;
        _log = log;
        _lockTimeout = lockTimeout;
    }

    public StageResult Execute(StageName name, IStageRunner runner, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var planner = new PipelinePlanner(_context);
        var plan = planner.Plan(name);
        if (plan.Inputs is null)
            throw new InvalidOperationException($"{name.Target}: {plan.Reason}; build its upstream targets first.");

        using var held = _context.Cache.Lock(plan.Inputs.Key, _lockTimeout,
            () => _log.Status($"{name.Target}: waiting for another build working on key {ContentHash.Short(plan.Inputs.Key)} in {_context.Cache.Root}"),
            cancellationToken);
        plan = planner.Plan(name);
        var inputs = plan.Inputs ?? throw new InvalidOperationException($"{name.Target}: {plan.Reason}");

        try
        {
            switch (plan.Status)
            {
                case StageStatus.UpToDate:
                    _log.Status(plan.Describe());
                    return new StageResult(StageOutcome.UpToDate, plan, clock.Elapsed);
                case StageStatus.Restore:
                    if (TryRestore(plan))
                        return new StageResult(StageOutcome.Restored, plan, clock.Elapsed);
                    plan = plan with { Status = StageStatus.Run, Reason = "cache entry was damaged", Cache = CacheLookup.Missing };
                    break;
                default:
                    if (plan.Cache.IsCorrupt)
                    {
                        _log.Warning(EngineCodes.CorruptCacheEntry,
                            $"{name.Target}: cache entry {ContentHash.Short(inputs.Key)} is damaged ({plan.Cache.Problem}); removing it and running the stage again.");
                        _context.Cache.Remove(inputs.Key);
                    }
                    break;
            }
            _log.Detail($"{name.Target}: running ({plan.Reason})");
            bool ok = RunAndStore(plan, inputs, runner, cancellationToken);
            return new StageResult(ok ? StageOutcome.Ran : StageOutcome.Failed, plan, clock.Elapsed);
        }
        finally
        {
            _context.Memo.Save();
        }
    }

    private bool TryRestore(StagePlan plan)
    {
        var entry = plan.Cache.Entry!;
        var destinations = plan.Stage.Outputs.ToDictionary(f => f, f => _context.Workspace.OutputPath(plan.Stage.Name, f), StringComparer.Ordinal);
        try
        {
            var modes = _context.Cache.Restore(entry, destinations, _context.Memo);
            RecordInLock(plan.Stage.Name, LockEntry.ForRestore(entry.Record));
            string how = modes.All(m => m == PlacementMode.HardLink) ? "hard-linked" : "copied";
            _log.Status($"{plan.Stage.Name.Target}: restored from cache ({plan.Reason}; {entry.Outputs.Count} files verified and {how}; no recomputation)");
            return true;
        }
        catch (CacheCorruptException e)
        {
            _log.Warning(EngineCodes.CorruptCacheEntry,
                $"{plan.Stage.Name.Target}: cache entry {ContentHash.Short(entry.Key)} is damaged ({e.Message}); removing it and running the stage again.");
            _context.Cache.Remove(entry.Key);
            return false;
        }
    }

    private bool RunAndStore(StagePlan plan, StageKeyInputs inputs, IStageRunner runner, CancellationToken cancellationToken)
    {
        var stage = plan.Stage;
        var workspace = _context.Workspace;
        // Like dvc: the old outputs go first, so a failure cannot leave results that belong to other inputs.
        foreach (string file in stage.Outputs)
            AtomicFile.TryDelete(workspace.OutputPath(stage.Name, file));

        string staging = workspace.CreateStagingDirectory(stage.Name);
        try
        {
            var upstreamFiles = stage.Upstream.ToDictionary(u => u.Role, u => workspace.OutputPath(u.Stage, u.File), StringComparer.Ordinal);
            var invocation = new StageInvocation(stage, stage.Arguments(new StageRunPaths(upstreamFiles, staging)), _context.Experiment.Directory, staging);
            var clock = Stopwatch.StartNew();
            if (!runner.Run(invocation, cancellationToken))
                return false;
            var duration = clock.Elapsed;

            var missing = stage.Outputs.Where(f => !File.Exists(Path.Combine(staging, f))).ToList();
            if (missing.Count > 0)
                throw new StageOutputException($"{stage.Name.Target}: `repro {stage.Name.Id}` exited 0 but did not write {string.Join(", ", missing)}.");

            var digests = stage.Outputs.ToDictionary(f => f, f =>
            {
                string p = Path.Combine(staging, f);
                return new FileDigest(ContentHash.OfFile(p), new FileInfo(p).Length);
            }, StringComparer.Ordinal);
            Directory.CreateDirectory(workspace.StageDirectory(stage.Name));
            foreach (string file in stage.Outputs)
            {
                string final = workspace.OutputPath(stage.Name, file);
                File.Move(Path.Combine(staging, file), final, overwrite: true);
                _context.Memo.Remember(final, digests[file].Sha256);
            }

            // Reports carry timings and paths; their results digest is what a rerun can reproduce.
            var resultDigests = stage.Outputs
                .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .Select(f => (File: f, Digest: ResultsDigest.OfFile(workspace.OutputPath(stage.Name, f))))
                .Where(r => r.Digest != null)
                .ToDictionary(r => r.File, r => r.Digest!, StringComparer.Ordinal);
            var entry = LockEntry.ForRun(inputs, digests, _context.Pipeline.Execution, _context.Runtime.Tools, duration, resultDigests);
            try
            {
                _context.Cache.Store(inputs.Key, stage.Name.Id,
                    stage.Outputs.Select(f => (f, workspace.OutputPath(stage.Name, f), digests[f])).ToArray(), entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Warning(EngineCodes.CacheStoreFailed, $"{stage.Name.Target}: could not store the result in {_context.Cache.Root}: {e.Message}");
            }
            RecordInLock(stage.Name, entry);
            _log.Status($"{stage.Name.Target}: ran in {duration.TotalSeconds:F1} s, stored as {ContentHash.Short(inputs.Key)}");
            return true;
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private void RecordInLock(StageName stage, Newtonsoft.Json.Linq.JObject entry)
    {
        if (!LockRecord.Update(_context.Workspace, _context.Experiment.Name, stage, entry, _lockTimeout))
            _log.Warning(EngineCodes.LockRecordDamaged,
                $"{_context.Workspace.LockRecordPath} was unreadable; rewritten with {stage.Target} only (the other stages are recorded again as they run or restore).");
    }
}
