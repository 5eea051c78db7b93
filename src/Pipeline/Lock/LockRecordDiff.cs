using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Lock;

/// <summary>Explains why a stage's key differs from the one in the lock record: "samples 8192 → 4096", not just "key changed".</summary>
public static class LockRecordDiff
{
    private const int MaxListed = 4;

    /// <summary>Null when the recorded key equals the new one.</summary>
    public static string? Describe(JObject entry, StageKeyInputs inputs)
    {
        if ((string?)entry["key"] == inputs.Key)
            return null;
        var reasons = new List<string>();

        var before = Flatten(entry["parameters"] as JObject ?? new JObject());
        var after = Flatten(inputs.Parameters);
        var changed = before.Keys.Union(after.Keys).OrderBy(k => k, StringComparer.Ordinal)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Select(k => $"{k} {before.GetValueOrDefault(k, "(unset)")} → {after.GetValueOrDefault(k, "(unset)")}")
            .ToList();
        if (changed.Count > 0)
            reasons.Add("parameters changed: " + Listed(changed));

        var upstream = entry["upstream"] as JObject ?? new JObject();
        foreach (var (role, d) in inputs.Upstream)
            if ((string?)upstream[role]?["sha256"] != d.Sha256)
                reasons.Add($"upstream {d.Stage.Id}/{d.File} changed");

        var data = entry["data"] as JObject ?? new JObject();
        foreach (var (role, f) in inputs.Data)
            if ((string?)data[role]?["fingerprint"] != f.Fingerprint)
                reasons.Add($"data.{role} changed ({f.Spec})");
        foreach (var p in data.Properties())
            if (!inputs.Data.ContainsKey(p.Name))
                reasons.Add($"data.{p.Name} removed");

        if ((string?)entry["runtime"] != inputs.Runtime)
            reasons.Add($"runtime changed ({(string?)entry["runtime"] ?? "(unknown)"} → {inputs.Runtime})");
        if ((string?)entry["device"] != inputs.DeviceKind)
            reasons.Add($"device kind changed ({(string?)entry["device"] ?? "(unknown)"} → {inputs.DeviceKind})");
        if (reasons.Count == 0)
            reasons.Add($"key derivation changed ({ContentHash.Short((string?)entry["key"])} → {ContentHash.Short(inputs.Key)})");
        return string.Join("; ", reasons);
    }

    /// <summary>"train.lr" → "0.1": leaves of a parameter object in canonical text.</summary>
    public static Dictionary<string, string> Flatten(JObject parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JToken t, string path)
        {
            if (t is JObject o && o.HasValues)
                foreach (var p in o.Properties()) Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}");
            else
                result[path] = CanonicalJson.Serialize(t);
        }
        Walk(parameters, "");
        return result;
    }

    private static string Listed(IReadOnlyList<string> items)
        => items.Count <= MaxListed ? string.Join(", ", items) : string.Join(", ", items.Take(MaxListed)) + $" and {items.Count - MaxListed} more";
}
