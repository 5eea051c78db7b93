using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Experiments;

/// <summary>
/// An experiment file (docs/contracts.md, "Experiment file"), loaded strictly: unknown top-level
/// keys, duplicate keys and trailing text are bad input. Comments are allowed and ignored, and
/// date-like strings stay strings, so the sections hash exactly as written.
/// The model and train sections stay opaque JSON here: the runtime validates them in detail.
/// </summary>
public sealed class ExperimentDefinition
{
    private static readonly string[] KnownKeys = { "name", "description", "data", "model", "train", "preciseBn", "ema" };

    private ExperimentDefinition(string path, JObject root)
    {
        FilePath = path;
        Directory = System.IO.Path.GetDirectoryName(path)!;
        Root = root;
        Name = (string?)root["name"] ?? System.IO.Path.GetFileName(Directory);
        Data = Section(root, "data");
        Model = Section(root, "model");
        Train = Section(root, "train");
        PreciseBn = Section(root, "preciseBn");
        Ema = Section(root, "ema");
        TrainData = RequiredString(Data, "train", "data.train");
        TestData = Data["test"] is null ? null : RequiredString(Data, "test", "data.test");
        foreach (var p in Data.Properties())
            if (p.Name is not ("train" or "test"))
                throw Bad(p, $"unknown key 'data.{p.Name}' (use train, test)");
    }

    public string FilePath { get; }
    public string Directory { get; }
    public string Name { get; }
    public JObject Root { get; }
    public JObject Data { get; }
    public JObject Model { get; }
    public JObject Train { get; }
    public JObject PreciseBn { get; }
    public JObject Ema { get; }
    public string TrainData { get; }
    public string? TestData { get; }

    public static ExperimentDefinition Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new BadInputException($"{full}: experiment file not found.");
        return Parse(File.ReadAllText(full), full);
    }

    public static ExperimentDefinition Parse(string json, string path)
    {
        JObject root;
        try
        {
            using var reader = new JsonTextReader(new StringReader(json))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Double,
            };
            var settings = new JsonLoadSettings
            {
                CommentHandling = CommentHandling.Ignore,
                DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
                LineInfoHandling = LineInfoHandling.Load,
            };
            var token = JToken.ReadFrom(reader, settings);
            if (token is not JObject o)
                throw new BadInputException($"{path}: an experiment must be a JSON object.");
            while (reader.Read())
                if (reader.TokenType != JsonToken.Comment)
                    throw new BadInputException($"{path}: unexpected text after the experiment object (line {reader.LineNumber}).");
            root = o;
        }
        catch (JsonReaderException e)
        {
            throw new BadInputException($"{path}: invalid JSON at line {e.LineNumber}, position {e.LinePosition}: {FirstSentence(e.Message)}", e);
        }
        foreach (var p in root.Properties())
            if (Array.IndexOf(KnownKeys, p.Name) < 0)
                throw Bad(p, $"unknown key '{p.Name}' (sections: {string.Join(", ", KnownKeys)})", path);
        return new ExperimentDefinition(path, root);
    }

    private JObject Section(JObject root, string name) => root[name] switch
    {
        JObject o => o,
        null => throw new BadInputException($"{FilePath}: the '{name}' section is missing."),
        var t => throw Bad(t, $"'{name}' must be an object"),
    };

    private string RequiredString(JObject o, string key, string display) => o[key] switch
    {
        JValue { Type: JTokenType.String } v when ((string)v!).Trim().Length > 0 => (string)v!,
        null => throw new BadInputException($"{FilePath}: '{display}' is missing."),
        var t => throw Bad(t, $"'{display}' must be a non-empty data spec string"),
    };

    internal BadInputException Bad(JToken at, string what) => Bad(at, what, FilePath);

    internal static BadInputException Bad(JToken at, string what, string path)
    {
        var li = (IJsonLineInfo)at;
        string where = li.HasLineInfo() ? $"{path}(line {li.LineNumber})" : path;
        return new BadInputException($"{where}: {what}.");
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". Path", StringComparison.Ordinal);
        return (i > 0 ? message[..i] : message).ReplaceLineEndings(" ");
    }
}
