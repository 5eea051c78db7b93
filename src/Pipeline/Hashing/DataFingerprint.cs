using Newtonsoft.Json.Linq;
using Repro.Pipeline.Data;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// What a data spec means, as content: the spec's identity (kind, split, synthetic parameters; see
/// <see cref="DataSourceSpec.Identity"/>) and the SHA-256 of every file it reads, in order. Paths
/// are left out, so moving the dataset or cloning the repo elsewhere keeps the fingerprint, and a
/// shared cache serves every clone; changing a byte of the data changes it.
/// </summary>
public sealed record DataFingerprint(string Spec, string Identity, IReadOnlyList<DataFile> Files, string Fingerprint)
{
    /// <param name="spec">As written in the experiment (or on the command line).</param>
    /// <param name="baseDirectory">Relative paths resolve against this (the experiment's folder).</param>
    /// <param name="where">Names the setting in messages, e.g. "experiment.json data.train".</param>
    public static DataFingerprint Compute(string spec, string baseDirectory, FileHashMemo memo, string where)
    {
        DataSourceSpec parsed;
        try
        {
            parsed = DataSourceSpec.Parse(spec, baseDirectory);
        }
        catch (BadInputException e)
        {
            throw new BadInputException($"{where}: {e.Message}", e);
        }
        var files = parsed.Files.Select(path =>
        {
            if (!File.Exists(path))
                throw new BadInputException($"{where} '{spec}': {path} not found.");
            var d = memo.Hash(path);
            return new DataFile(Path.GetFileName(path), d.Sha256, d.Size);
        }).ToArray();
        var doc = new JObject
        {
            ["identity"] = parsed.Identity,
            ["files"] = new JArray(files.Select(f => f.Sha256)),
        };
        return new DataFingerprint(spec, parsed.Identity, files, ContentHash.OfText(CanonicalJson.Serialize(doc)));
    }

    public JObject ToJson() => new()
    {
        ["spec"] = Spec,
        ["identity"] = Identity,
        ["fingerprint"] = Fingerprint,
        ["files"] = new JArray(Files.Select(f => new JObject { ["name"] = f.Name, ["sha256"] = f.Sha256, ["size"] = f.Size })),
    };
}

public sealed record DataFile(string Name, string Sha256, long Size);
