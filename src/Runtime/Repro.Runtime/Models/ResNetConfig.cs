using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Models;

/// <summary>
/// Shape of a BasicBlock ResNet: blocks per stage, base width w (stages have w, 2w, 4w, 8w channels),
/// stem, input channels and classes. Serialised as the experiment file's <c>model</c> section and as
/// the <c>repro.model</c> checkpoint metadata, in camelCase: <c>{"depths":[2,2,2,2],"width":64,
/// "stem":"imagenet","inChannels":3,"numClasses":1000}</c>.
/// </summary>
public sealed record ResNetConfig
{
    public const int StageCount = 4;
    private static readonly string[] Keys = ["depths", "width", "stem", "inChannels", "numClasses"];

    public ResNetConfig(IReadOnlyList<int> depths, int width, ResNetStem stem, int inChannels, int numClasses)
    {
        if (depths.Count != StageCount || depths.Any(d => d < 1))
            throw new ArgumentException($"depths must be {StageCount} positive block counts, got [{string.Join(",", depths)}]");
        if (width < 1 || inChannels < 1 || numClasses < 1)
            throw new ArgumentException("width, inChannels and numClasses must be positive");
        Depths = depths.ToArray();
        Width = width;
        Stem = stem;
        InChannels = inChannels;
        NumClasses = numClasses;
    }

    public IReadOnlyList<int> Depths { get; }
    public int Width { get; }
    public ResNetStem Stem { get; }
    public int InChannels { get; }
    public int NumClasses { get; }

    /// <summary>Channels of stage <paramref name="stage"/> (0-based): w·2^stage.</summary>
    public int StageChannels(int stage) => Width << stage;

    /// <summary>torchvision's resnet18: [2,2,2,2], width 64, imagenet stem, RGB, 1000 classes.</summary>
    public static ResNetConfig ResNet18(int inChannels = 3, int numClasses = 1000) =>
        new([2, 2, 2, 2], 64, ResNetStem.ImageNet, inChannels, numClasses);

    /// <summary>torchvision's resnet34: [3,4,6,3], width 64, imagenet stem.</summary>
    public static ResNetConfig ResNet34(int inChannels = 3, int numClasses = 1000) =>
        new([3, 4, 6, 3], 64, ResNetStem.ImageNet, inChannels, numClasses);

    public static string StemName(ResNetStem stem) => stem switch
    {
        ResNetStem.ImageNet => "imagenet",
        ResNetStem.Small => "small",
        _ => throw new ArgumentOutOfRangeException(nameof(stem)),
    };

    /// <summary>Canonical compact JSON: fixed key order, no whitespace, so equal configs give equal bytes.</summary>
    public string ToJson()
    {
        var sw = new StringWriter { NewLine = "\n" };
        using (var w = new JsonTextWriter(sw) { Formatting = Formatting.None })
        {
            w.WriteStartObject();
            w.WritePropertyName("depths");
            w.WriteStartArray();
            foreach (int d in Depths) w.WriteValue(d);
            w.WriteEndArray();
            w.WritePropertyName("width"); w.WriteValue(Width);
            w.WritePropertyName("stem"); w.WriteValue(StemName(Stem));
            w.WritePropertyName("inChannels"); w.WriteValue(InChannels);
            w.WritePropertyName("numClasses"); w.WriteValue(NumClasses);
            w.WriteEndObject();
        }
        return sw.ToString();
    }

    public override string ToString() =>
        $"ResNet depths [{string.Join(",", Depths)}], width {Width}, {StemName(Stem)} stem, {InChannels} in, {NumClasses} classes";

    public bool Equals(ResNetConfig? other) => other is not null && ToJson() == other.ToJson();
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);

    /// <summary>Parses JSON text; <paramref name="origin"/> and <paramref name="keyPrefix"/> name the source in errors.</summary>
    public static ResNetConfig Parse(string json, string origin, string keyPrefix = "model")
    {
        JToken token;
        try
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
            token = JToken.ReadFrom(reader, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
            if (reader.Read())
                throw new JsonReaderException("unexpected content after the JSON value");
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{origin}: {keyPrefix} is not valid JSON: {OneLine(e.Message)}", e);
        }
        return FromJson(token, origin, keyPrefix);
    }

    /// <summary>
    /// Strict reading of a parsed config: every key present, no unknown key, each value of the right
    /// type and range. Errors name <paramref name="origin"/> (a file) and the offending key.
    /// </summary>
    public static ResNetConfig FromJson(JToken token, string origin, string keyPrefix = "model")
    {
        if (token is not JObject obj)
            throw Bad(origin, keyPrefix, $"must be a JSON object with keys {string.Join(", ", Keys)}");
        foreach (var p in obj.Properties())
            if (!Keys.Contains(p.Name, StringComparer.Ordinal))
                throw Bad(origin, $"{keyPrefix}.{p.Name}", $"unknown key (expected {string.Join(", ", Keys)})");

        JToken Get(string key) => obj.TryGetValue(key, StringComparison.Ordinal, out var v)
            ? v : throw Bad(origin, $"{keyPrefix}.{key}", "missing");

        var depthsToken = Get("depths");
        if (depthsToken is not JArray depthsArray || depthsArray.Count != StageCount)
            throw Bad(origin, $"{keyPrefix}.depths", $"must be an array of {StageCount} block counts (one per stage), got {Compact(depthsToken)}");
        var depths = new int[StageCount];
        for (int i = 0; i < StageCount; i++)
            depths[i] = PositiveInt(depthsArray[i], origin, $"{keyPrefix}.depths[{i}]");

        int width = PositiveInt(Get("width"), origin, $"{keyPrefix}.width");
        var stemToken = Get("stem");
        ResNetStem stem = stemToken.Type == JTokenType.String ? (string)stemToken! switch
        {
            "imagenet" => ResNetStem.ImageNet,
            "small" => ResNetStem.Small,
            _ => throw Bad(origin, $"{keyPrefix}.stem", $"must be \"imagenet\" or \"small\", got {Compact(stemToken)}"),
        } : throw Bad(origin, $"{keyPrefix}.stem", $"must be \"imagenet\" or \"small\", got {Compact(stemToken)}");
        int inChannels = PositiveInt(Get("inChannels"), origin, $"{keyPrefix}.inChannels");
        int numClasses = PositiveInt(Get("numClasses"), origin, $"{keyPrefix}.numClasses");
        return new ResNetConfig(depths, width, stem, inChannels, numClasses);
    }

    private static int PositiveInt(JToken token, string origin, string key)
    {
        if (token.Type != JTokenType.Integer)
            throw Bad(origin, key, $"must be a positive integer, got {Compact(token)}");
        var value = ((JValue)token).Value;
        long v = value is System.Numerics.BigInteger ? long.MaxValue : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        if (v < 1 || v > 1 << 20)
            throw Bad(origin, key, $"must be an integer in [1, {1 << 20}], got {Compact(token)}");
        return (int)v;
    }

    private static BadInputException Bad(string origin, string key, string cause) => new($"{origin}: {key}: {cause}");
    private static string Compact(JToken t) => t.ToString(Formatting.None);
    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
