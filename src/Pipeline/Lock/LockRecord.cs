using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.IO;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Lock;

/// <summary>
/// repro.lock.json, in the spirit of dvc.lock: for every stage that completed, its key, parameters,
/// input and output hashes, tool versions, how it ran (threads, device, ranks) and how long it took.
/// It is also the "last known state" that decides whether a stage is up to date. Stages appear in
/// pipeline order; a stage restored from the cache keeps the record of the run that produced it.
/// </summary>
public sealed class LockRecord
{
    public const int Schema = 1;

    private readonly JObject _stages;

    private LockRecord(JObject root)
    {
        Root = root;
        if (root["stages"] is not JObject stages)
            root["stages"] = stages = new JObject();
        _stages = stages;
    }

    public JObject Root { get; }

    /// <summary>True when the file existed but could not be read (it is then treated as empty).</summary>
    public bool WasDamaged { get; private init; }

    public static LockRecord Empty(string experimentName) => new(new JObject
    {
        ["schema"] = Schema,
        ["experiment"] = experimentName,
        ["stages"] = new JObject(),
    });

    public static LockRecord Load(string path, string experimentName)
    {
        if (!File.Exists(path))
            return Empty(experimentName);
        try
        {
            using var reader = new JsonTextReader(new StringReader(File.ReadAllText(path))) { DateParseHandling = DateParseHandling.None };
            var root = JObject.Load(reader);
            if ((int?)root["schema"] != Schema)
                return Empty(experimentName);
            root["experiment"] = experimentName;
            return new LockRecord(root);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidCastException)
        {
            return new LockRecord(Empty(experimentName).Root) { WasDamaged = true };
        }
    }

    public JObject? Stage(StageName stage) => _stages[stage.Id] as JObject;

    public void SetStage(StageName stage, JObject entry)
    {
        _stages[stage.Id] = entry;
        // Keep pipeline order whatever order stages completed in.
        var ordered = _stages.Properties()
            .OrderBy(p => StageName.All.FirstOrDefault(s => s.Id == p.Name)?.Order ?? int.MaxValue)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        _stages.RemoveAll();
        foreach (var p in ordered) _stages.Add(p);
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, Root.ToString(Formatting.Indented) + "\n");

    /// <summary>
    /// Read-modify-write under an inter-process lock, so concurrent stages never lose each other's
    /// entries. Returns false when the existing file was unreadable (it is then rewritten from scratch).
    /// </summary>
    public static bool Update(PipelineWorkspace workspace, string experimentName, StageName stage, JObject entry, TimeSpan timeout)
    {
        using var _ = InterProcessLock.Acquire(workspace.LockRecordMutexPath, timeout);
        var record = Load(workspace.LockRecordPath, experimentName);
        record.SetStage(stage, entry);
        record.Save(workspace.LockRecordPath);
        return !record.WasDamaged;
    }
}
