using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Lock;

/// <summary>Builds one stage's entry of repro.lock.json.</summary>
public static class LockEntry
{
    /// <param name="resultDigests">For JSON outputs: <see cref="ResultsDigest"/>, recorded as "resultsSha256" beside the file's hash.</param>
    public static JObject ForRun(StageKeyInputs inputs, IReadOnlyDictionary<string, FileDigest> outputs, ExecutionSettings execution,
        IReadOnlyDictionary<string, string> tools, TimeSpan duration, IReadOnlyDictionary<string, string>? resultDigests = null)
    {
        var upstream = new JObject();
        foreach (var (role, d) in inputs.Upstream)
            upstream[role] = new JObject { ["stage"] = d.Stage.Id, ["file"] = d.File, ["sha256"] = d.Sha256, ["size"] = d.Size };
        var data = new JObject();
        foreach (var (role, f) in inputs.Data)
            data[role] = f.ToJson();
        var outs = new JObject();
        foreach (var (name, d) in outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            outs[name] = new JObject { ["sha256"] = d.Sha256, ["size"] = d.Size };
            if (resultDigests != null && resultDigests.TryGetValue(name, out var results))
                outs[name]!["resultsSha256"] = results;
        }
        var toolsJson = new JObject();
        foreach (var (k, v) in tools.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            toolsJson[k] = v;
        return new JObject
        {
            ["key"] = inputs.Key,
            ["parameters"] = inputs.Parameters.DeepClone(),
            ["upstream"] = upstream,
            ["data"] = data,
            ["outputs"] = outs,
            ["runtime"] = inputs.Runtime,
            ["device"] = inputs.DeviceKind,
            ["execution"] = new JObject { ["threads"] = execution.Threads, ["device"] = execution.Device, ["ranks"] = execution.Ranks },
            ["tools"] = toolsJson,
            ["durationSeconds"] = Math.Round(duration.TotalSeconds, 3),
            ["completedUtc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["source"] = "run",
        };
    }

    /// <summary>The producing run's entry, marked as restored.</summary>
    public static JObject ForRestore(JObject cachedRecord)
    {
        var entry = (JObject)cachedRecord.DeepClone();
        entry["source"] = "cache";
        return entry;
    }
}
