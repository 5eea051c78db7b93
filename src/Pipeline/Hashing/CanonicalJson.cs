using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// The one text form of a JSON value that stage keys hash. Two documents that mean the same thing
/// give the same bytes: object keys sorted by ordinal, no whitespace, invariant culture, and
/// numbers written by value (round-trip "R" form for floats, so 1, 1.0 and 1e0 are all "1" and
/// 0.1 stays exactly 0.1). Comments and key order in the source file therefore never change a key.
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JToken token)
    {
        var sb = new StringBuilder();
        Write(token, sb);
        return sb.ToString();
    }

    /// <summary>A float as the canonical form writes it (exposed for tests and for messages).</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            throw new BadInputException($"{value.ToString(CultureInfo.InvariantCulture)} is not a JSON number.");
        if (value == 0)
            return "0"; // -0 and 0 mean the same setting
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void Write(JToken token, StringBuilder sb)
    {
        switch (token.Type)
        {
            case JTokenType.Object:
                sb.Append('{');
                bool first = true;
                foreach (var p in ((JObject)token).Properties().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    sb.Append(JsonConvert.ToString(p.Name)).Append(':');
                    Write(p.Value, sb);
                }
                sb.Append('}');
                break;
            case JTokenType.Array:
                sb.Append('[');
                bool firstItem = true;
                foreach (var item in (JArray)token)
                {
                    if (item.Type == JTokenType.Comment) continue;
                    if (!firstItem) sb.Append(',');
                    firstItem = false;
                    Write(item, sb);
                }
                sb.Append(']');
                break;
            case JTokenType.Integer:
                object? v = ((JValue)token).Value;
                sb.Append(v switch
                {
                    System.Numerics.BigInteger b => b.ToString(CultureInfo.InvariantCulture),
                    _ => Convert.ToInt64(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                });
                break;
            case JTokenType.Float:
                sb.Append(FormatDouble(Convert.ToDouble(((JValue)token).Value, CultureInfo.InvariantCulture)));
                break;
            case JTokenType.String:
                sb.Append(JsonConvert.ToString((string?)((JValue)token).Value));
                break;
            case JTokenType.Boolean:
                sb.Append((bool)((JValue)token).Value! ? "true" : "false");
                break;
            case JTokenType.Null:
                sb.Append("null");
                break;
            default:
                throw new InvalidOperationException($"{token.Type} has no canonical JSON form (load JSON with DateParseHandling.None).");
        }
    }
}
