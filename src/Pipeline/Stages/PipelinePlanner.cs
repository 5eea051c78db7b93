using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Lock;

namespace Repro.Pipeline.Stages;

/// <summary>
/// Decides, for each stage up to a target, whether it is up to date, can be restored from the
/// cache, or must run, and says why in terms a user recognises (which parameter, which upstream
/// file, which data). Timestamps play no part: only content hashes and the lock record.
/// Planning reads and stats files; it never runs anything.
/// </summary>
public sealed class PipelinePlanner
{
    private readonly PipelineContext _context;

    public PipelinePlanner(PipelineContext context) => _context = context;

    public StagePlan Plan(StageName stage) => PlanThrough(stage)[^1];

    public IReadOnlyList<StagePlan> PlanThrough(StageName last)
    {
        var record = LockRecord.Load(_context.Workspace.LockRecordPath, _context.Experiment.Name);
        var plans = new Dictionary<StageName, StagePlan>();
        var result = new List<StagePlan>();
        foreach (var name in StageName.All.Where(s => s.Order <= last.Order))
        {
            var plan = PlanOne(_context.Pipeline[name], plans, record);
            plans[name] = plan;
            result.Add(plan);
        }
        return result;
    }

    private StagePlan PlanOne(StageDefinition stage, IReadOnlyDictionary<StageName, StagePlan> upstreamPlans, LockRecord record)
    {
        var upstream = new SortedDictionary<string, UpstreamDigest>(StringComparer.Ordinal);
        foreach (var u in stage.Upstream)
        {
            var up = upstreamPlans[u.Stage];
            if (up.ExpectedOutputs is null || !up.ExpectedOutputs.TryGetValue(u.File, out var digest))
                return new StagePlan(stage, StageStatus.Run, $"after {u.Stage.Target} runs: its {u.File} decides the key",
                    null, null, Cache.CacheLookup.Missing);
            upstream[u.Role] = new UpstreamDigest(u.Stage, u.File, digest.Sha256, digest.Size);
        }
        var data = new SortedDictionary<string, DataFingerprint>(StringComparer.Ordinal);
        foreach (var d in stage.Data)
            data[d.Role] = DataFingerprint.Compute(d.Spec, _context.Experiment.Directory, _context.Memo, $"{_context.Experiment.FilePath} data.{d.Role}");
        var inputs = new StageKeyInputs(stage.Name, stage.Parameters, upstream, data, _context.Runtime.Text, _context.DeviceKind);

        var entry = record.Stage(stage.Name);
        string? change = entry is null ? $"not in {Path.GetFileName(_context.Workspace.LockRecordPath)}" : LockRecordDiff.Describe(entry, inputs);
        if (change is null)
        {
            var (digests, problem) = CheckOutputs(stage, (JObject?)entry!["outputs"]);
            if (problem is null)
                return new StagePlan(stage, StageStatus.UpToDate, $"key {ContentHash.Short(inputs.Key)} unchanged, outputs match the lock record",
                    inputs, digests, Cache.CacheLookup.Missing);
            change = problem;
        }

        var lookup = _context.Cache.Find(inputs.Key);
        if (lookup.Entry != null && !lookup.IsCorrupt)
        {
            var expected = lookup.Entry.Outputs.ToDictionary(o => o.Name, o => new FileDigest(o.Sha256, o.Size));
            return new StagePlan(stage, StageStatus.Restore, $"{change}; cached as {ContentHash.Short(inputs.Key)}", inputs, expected, lookup);
        }
        string why = lookup.IsCorrupt ? $"cache entry damaged: {lookup.Problem}" : "not in the cache";
        return new StagePlan(stage, StageStatus.Run, $"{change}; {why}", inputs, null, lookup);
    }

    private (IReadOnlyDictionary<string, FileDigest> Digests, string? Problem) CheckOutputs(StageDefinition stage, JObject? recorded)
    {
        var digests = new Dictionary<string, FileDigest>(StringComparer.Ordinal);
        var missing = new List<string>();
        var changed = new List<string>();
        foreach (string file in stage.Outputs)
        {
            string path = _context.Workspace.OutputPath(stage.Name, file);
            if (!File.Exists(path))
            {
                missing.Add(file);
                continue;
            }
            var digest = _context.Memo.Hash(path);
            digests[file] = digest;
            if ((string?)recorded?[file]?["sha256"] != digest.Sha256)
                changed.Add(file);
        }
        if (missing.Count > 0)
            return (digests, $"outputs missing: {string.Join(", ", missing)}");
        if (changed.Count > 0)
            return (digests, $"outputs changed since the lock record: {string.Join(", ", changed)}");
        return (digests, null);
    }
}
