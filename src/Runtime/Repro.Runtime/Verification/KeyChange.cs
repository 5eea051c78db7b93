using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Verification;

/// <summary>Why two lock entries of one stage have different keys, in the terms of their recorded inputs.</summary>
internal static class KeyChange
{
    private const int MaxListed = 4;

    public static string? Describe(JObject expected, JObject actual)
    {
        if ((string?)expected["key"] == (string?)actual["key"])
            return null;
        var reasons = new List<string>();
        var before = Leaves(expected["parameters"]);
        var after = Leaves(actual["parameters"]);
        var changed = before.Keys.Union(after.Keys).OrderBy(k => k, StringComparer.Ordinal)
            .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => $"{k} {before.GetValueOrDefault(k) ?? "(unset)"} → {after.GetValueOrDefault(k) ?? "(unset)"}")
            .ToList();
        if (changed.Count > 0)
            reasons.Add("parameters " + string.Join(", ", changed.Take(MaxListed)) + (changed.Count > MaxListed ? $" and {changed.Count - MaxListed} more" : ""));
        foreach (var field in new[] { "runtime", "device" })
            if (!JToken.DeepEquals(expected[field], actual[field]))
                reasons.Add($"{field} {expected[field] ?? "(unset)"} → {actual[field] ?? "(unset)"}");
        var expectedData = Leaves(expected["data"]);
        var actualData = Leaves(actual["data"]);
        foreach (var k in expectedData.Keys.Union(actualData.Keys).Where(k => k.EndsWith(".fingerprint", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal))
            if (expectedData.GetValueOrDefault(k) != actualData.GetValueOrDefault(k))
                reasons.Add($"data.{k[..k.LastIndexOf('.')]} changed");
        var expectedUp = Leaves(expected["upstream"]);
        var actualUp = Leaves(actual["upstream"]);
        foreach (var k in expectedUp.Keys.Union(actualUp.Keys).Where(k => k.EndsWith(".sha256", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal))
            if (expectedUp.GetValueOrDefault(k) != actualUp.GetValueOrDefault(k))
                reasons.Add($"upstream {k[..k.LastIndexOf('.')]} changed");
        return reasons.Count > 0 ? string.Join("; ", reasons) : "key derivation changed";
    }

    /// <summary>
    /// How the two runs ran, where that differs (threads, device, ranks): not part of the key, yet
    /// float reductions split differently, so it explains a difference of an ulp or so.
    /// </summary>
    public static string? DescribeExecution(JObject expected, JObject actual)
    {
        var before = Leaves(expected["execution"]);
        var after = Leaves(actual["execution"]);
        var changed = before.Keys.Union(after.Keys).OrderBy(k => k, StringComparer.Ordinal)
            .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => $"{k} {before.GetValueOrDefault(k) ?? "(unset)"} → {after.GetValueOrDefault(k) ?? "(unset)"}")
            .ToList();
        return changed.Count > 0 ? string.Join(", ", changed) : null;
    }

    private static Dictionary<string, string> Leaves(JToken? token)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JToken t, string path)
        {
            if (t is JObject o && o.HasValues)
                foreach (var p in o.Properties()) Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}");
            else
                result[path] = t.ToString(Newtonsoft.Json.Formatting.None);
        }
        if (token is not null)
            Walk(token, "");
        return result;
    }
}
