using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Verification;

/// <summary>One value that differs between two JSON outputs; AbsDifference only for two numbers.</summary>
public sealed record JsonValueDifference(string Path, string Expected, string Actual, double? AbsDifference);

/// <summary>
/// Compares two JSON outputs of a stage (metrics.json, report.json) as results, not as bytes. Reports
/// also record when and where a run happened, which no rerun can reproduce, so two kinds of value
/// are left out: wall-clock figures (a property whose name ends in "Seconds", "PerSecond" or "Utc")
/// and absolute file paths (a run writes into its own staging folder). Everything else (losses,
/// accuracies, statistics, counts, settings) must be equal; numbers are compared exactly.
/// </summary>
public static class JsonOutputDiff
{
    private static readonly string[] VolatileSuffixes = ["Seconds", "PerSecond", "Utc"];

    public static IReadOnlyList<JsonValueDifference> Compare(string expectedPath, string actualPath)
    {
        var differences = new List<JsonValueDifference>();
        Walk(Load(expectedPath), Load(actualPath), "$", differences);
        return differences;
    }

    /// <summary>True for a property whose value is a timing or a timestamp.</summary>
    public static bool IsVolatileName(string propertyName) =>
        VolatileSuffixes.Any(s => propertyName.EndsWith(s, StringComparison.OrdinalIgnoreCase));

    private static JToken Load(string path)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(File.ReadAllText(path)))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Double,
            };
            return JToken.ReadFrom(reader);
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
                if (IsVolatileName(name))
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
        if (e.Type == JTokenType.String && a.Type == JTokenType.String && IsAbsolutePath((string)e!) && IsAbsolutePath((string)a!))
            return;
        if (!JToken.DeepEquals(e, a))
            differences.Add(new JsonValueDifference(path, Show(e), Show(a), null));
    }

    private static bool IsNumber(JToken t) => t.Type is JTokenType.Integer or JTokenType.Float;

    private static bool IsAbsolutePath(string s) => s.Length > 1 && Path.IsPathFullyQualified(s);

    private static string Show(JToken? t) => t switch
    {
        null => "(absent)",
        JValue { Type: JTokenType.Float } v => ((double)v).ToString("R", CultureInfo.InvariantCulture),
        JValue v => v.ToString(Formatting.None),
        JContainer c => c.Type == JTokenType.Array ? $"[{c.Count} items]" : "{…}",
        _ => t.ToString(Formatting.None),
    };
}
