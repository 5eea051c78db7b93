using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// What a data spec means, as content: its path-free settings and the SHA-256 of every file it
/// reads. Moving the dataset or cloning the repo elsewhere keeps the fingerprint; changing a byte
/// of the data changes it.
/// </summary>
public sealed record DataFingerprint(string Spec, string Canonical, IReadOnlyList<DataFile> Files, string Fingerprint)
{
    /// <param name="spec">As written in the experiment (or on the command line).</param>
    /// <param name="baseDirectory">Relative paths resolve against this (the experiment's folder).</param>
    /// <param name="where">Names the setting in messages, e.g. "experiment.json data.train".</param>
    public static DataFingerprint Compute(string spec, string baseDirectory, FileHashMemo memo, string where)
    {
        var (canonical, files) = DataSpecFiles.Resolve(spec, baseDirectory, where);
        var hashed = files.Select(f =>
        {
            var d = memo.Hash(f.Path);
            return new DataFile(f.Role, Path.GetFileName(f.Path), d.Sha256, d.Size);
        }).ToArray();
        var doc = new JObject
        {
            ["source"] = canonical,
            ["files"] = new JArray(hashed.Select(f => new JObject { ["role"] = f.Role, ["sha256"] = f.Sha256 })),
        };
        return new DataFingerprint(spec, canonical, hashed, ContentHash.OfText(CanonicalJson.Serialize(doc)));
    }

    public JObject ToJson() => new()
    {
        ["spec"] = Spec,
        ["fingerprint"] = Fingerprint,
        ["files"] = new JArray(Files.Select(f => new JObject { ["role"] = f.Role, ["name"] = f.Name, ["sha256"] = f.Sha256, ["size"] = f.Size })),
    };
}

public sealed record DataFile(string Role, string Name, string Sha256, long Size);
