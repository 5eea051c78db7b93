using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;

namespace Repro.Runtime.Verification;

/// <summary>One value that differs between two JSON outputs; AbsDifference only for two numbers.</summary>
public sealed record JsonValueDifference(string Path, string Expected, string Actual, double? AbsDifference);

/// <summary>
/// Compares two JSON outputs of a stage (metrics.json, report.json) as results, not as bytes, by the
/// rule of the lock record's results digest (<see cref="ResultsDigest"/>): wall-clock values and
/// absolute paths are left out; everything else (losses, accuracies, statistics, counts, settings)
/// must be equal, numbers exactly. This says which values differ, with their difference.
/// </summary>
public static class JsonOutputDiff
{
    public static IReadOnlyList<JsonValueDifference> Compare(string expectedPath, string actualPath)
    {
        var differences = new List<JsonValueDifference>();
        Walk(Load(expectedPath), Load(actualPath), "$", differences);
        return differences;
    }

    private static JToken Load(string path)
    {
        try
        {
            return ResultsDigest.Load(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: not valid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static void Walk(JToken e, JToken a, string path, List<JsonValueDifference> differences)
    {
        if (e is JObject eo && a is JObject ao)
        {
            foreach (var name in eo.Properties().Select(p => p.Name).Union(ao.Properties().Select(p => p.Name)).OrderBy(n => n, StringComparer.Ordinal))
            {
                if (ResultsDigest.IsVolatileName(name))
                    continue;
                string child = $"{path}.{name}";
                var ev = eo[name];
                var av = ao[name];
                if (ev is null || av is null)
                    differences.Add(new JsonValueDifference(child, Show(ev), Show(av), null));
                else
                    Walk(ev, av, child, differences);
            }
            return;
        }
        if (e is JArray ea && a is JArray aa)
        {
            if (ea.Count != aa.Count)
            {
                differences.Add(new JsonValueDifference(path, $"{ea.Count} items", $"{aa.Count} items", null));
                return;
            }
            for (int i = 0; i < ea.Count; i++)
                Walk(ea[i], aa[i], $"{path}[{i}]", differences);
            return;
        }
        if (IsNumber(e) && IsNumber(a))
        {
            double x = (double)e, y = (double)a;
            if (x.Equals(y))
                return;
            double diff = double.IsNaN(x) || double.IsNaN(y) ? double.PositiveInfinity : Math.Abs(x - y);
            differences.Add(new JsonValueDifference(path, Show(e), Show(a), double.IsNaN(diff) ? double.PositiveInfinity : diff));
            return;
        }
        if (e.Type == JTokenType.String && a.Type == JTokenType.String && ResultsDigest.IsAbsolutePath((string)e!) && ResultsDigest.IsAbsolutePath((string)a!))
            return;
        if (!JToken.DeepEquals(e, a))
            differences.Add(new JsonValueDifference(path, Show(e), Show(a), null));
    }

    private static bool IsNumber(JToken t) => t.Type is JTokenType.Integer or JTokenType.Float;

    private static string Show(JToken? t) => t switch
    {
        null => "(absent)",
        JValue { Type: JTokenType.Float } v => ((double)v).ToString("R", CultureInfo.InvariantCulture),
        JValue v => v.ToString(Formatting.None),
        JContainer c => c.Type == JTokenType.Array ? $"[{c.Count} items]" : "{…}",
        _ => t.ToString(Formatting.None),
    };
}
