using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Verification;

/// <summary>One output file as a lock record names it; ResultsSha256 for a JSON report (Repro.Pipeline.Hashing.ResultsDigest).</summary>
public sealed record LockedOutput(string Name, string Sha256, long Size, string? ResultsSha256 = null);

/// <summary>One stage of a lock record: its key, parameters, where it ran, and its outputs.</summary>
public sealed record LockedStage(string Id, string Key, JObject Entry, IReadOnlyList<LockedOutput> Outputs);

/// <summary>
/// A repro.lock.json read for verification. Unlike the engine, which treats an unreadable lock
/// record as empty (the stages then simply run again), verification must not pass against nothing:
/// a missing, damaged or foreign file is bad input, named with its path.
/// </summary>
public sealed class LockedRun
{
    private LockedRun(string path, string experiment, IReadOnlyList<LockedStage> stages)
    {
        Path = path;
        Experiment = experiment;
        Stages = stages;
    }

    public string Path { get; }
    public string Experiment { get; }

    /// <summary>In the record's order, which is pipeline order.</summary>
    public IReadOnlyList<LockedStage> Stages { get; }

    public LockedStage? Stage(string id) => Stages.FirstOrDefault(s => s.Id == id);

    public static LockedRun Load(string path, string option)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{option} {path}: file not found");
        JObject root;
        try
        {
            using var reader = new JsonTextReader(new StringReader(File.ReadAllText(path))) { DateParseHandling = DateParseHandling.None };
            root = JObject.Load(reader);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{option} {path}: not a Repro lock record (invalid JSON: {e.Message.ReplaceLineEndings(" ")})");
        }
        if (root["stages"] is not JObject stages)
            throw new BadInputException($"{option} {path}: not a Repro lock record (no \"stages\" object)");
        var list = new List<LockedStage>();
        foreach (var stage in stages.Properties())
        {
            string where = $"{option} {path}: stage '{stage.Name}'";
            if (stage.Value is not JObject entry)
                throw new BadInputException($"{where} is not an object");
            string key = entry["key"]?.Type == JTokenType.String ? (string)entry["key"]! : throw new BadInputException($"{where} has no key");
            if (entry["outputs"] is not JObject outputs)
                throw new BadInputException($"{where} has no \"outputs\" object");
            var files = outputs.Properties().Select(o =>
            {
                string? sha = o.Value["sha256"]?.Type == JTokenType.String ? (string)o.Value["sha256"]! : null;
                long? size = o.Value["size"]?.Type == JTokenType.Integer ? (long)o.Value["size"]! : null;
                if (sha is null || sha.Length != 64 || !sha.All(Uri.IsHexDigit) || size is null)
                    throw new BadInputException($"{where}: output '{o.Name}' needs a 64-hex-digit sha256 and a size");
                if (o.Name.Contains('/') || o.Name.Contains('\\') || o.Name is "." or "..")
                    throw new BadInputException($"{where}: output name '{o.Name}' is not a plain file name");
                string? results = o.Value["resultsSha256"]?.Type == JTokenType.String ? ((string)o.Value["resultsSha256"]!).ToLowerInvariant() : null;
                return new LockedOutput(o.Name, sha.ToLowerInvariant(), size.Value, results);
            }).ToArray();
            list.Add(new LockedStage(stage.Name, key, entry, files));
        }
        return new LockedRun(System.IO.Path.GetFullPath(path), (string?)root["experiment"] ?? "", list);
    }
}
