using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// What a JSON output (metrics.json, report.json) says as a result, hashed. Such reports also record
/// when and where their run happened, which no rerun reproduces, so their bytes never match; this
/// digest leaves out exactly that: wall-clock values (a property whose name ends in "Seconds",
/// "PerSecond" or "Utc") and absolute file paths (a run writes into its own staging folder), then
/// hashes the rest in canonical form (<see cref="CanonicalJson"/>). Two runs whose losses,
/// accuracies and statistics agree bit for bit have the same digest, so a recorded run can be
/// verified from its lock record alone. `repro verify`/`repro diff` compare reports by the same rule.
/// </summary>
public static class ResultsDigest
{
    private static readonly string[] VolatileSuffixes = ["Seconds", "PerSecond", "Utc"];

    /// <summary>True for a property whose value is a timing or a timestamp.</summary>
    public static bool IsVolatileName(string propertyName) =>
        VolatileSuffixes.Any(s => propertyName.EndsWith(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a string that is an absolute file path.</summary>
    public static bool IsAbsolutePath(string value) => value.Length > 1 && Path.IsPathFullyQualified(value);

    /// <summary>The digest of a JSON file, or null when it is not JSON (then only its bytes count).</summary>
    public static string? OfFile(string path)
    {
        JToken document;
        try
        {
            document = Load(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
        return ContentHash.OfText(CanonicalJson.Serialize(Results(document)));
    }

    /// <summary>Reads JSON as reports are written: no date parsing, floats as doubles (NaN and ±Infinity allowed).</summary>
    public static JToken Load(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
        var token = JToken.ReadFrom(reader);
        while (reader.Read())
            if (reader.TokenType != JsonToken.Comment)
                throw new JsonReaderException("unexpected content after the JSON value");
        return token;
    }

    /// <summary>The document without its volatile values; NaN and infinities as strings, which canonical JSON has no number for.</summary>
    public static JToken Results(JToken token) => token switch
    {
        JObject o => new JObject(o.Properties().Where(p => !IsVolatileName(p.Name)).Select(p => new JProperty(p.Name, Results(p.Value)))),
        JArray a => new JArray(a.Where(t => t.Type != JTokenType.Comment).Select(Results)),
        JValue { Type: JTokenType.String } s when IsAbsolutePath((string)s!) => JValue.CreateNull(),
        JValue { Type: JTokenType.Float } f when !double.IsFinite((double)f) => new JValue(((double)f).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => token.DeepClone(),
    };
}
