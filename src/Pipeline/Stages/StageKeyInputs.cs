using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Stages;

/// <summary>
/// Everything a stage's result depends on: its name, parameters, the content hashes of the
/// upstream files it reads, the fingerprints of its data, the runtime version and the device kind.
/// The key is SHA-256 over the canonical JSON of exactly these, so it is the same on every
/// machine, clone path and culture, and changes when, and only when, one of them does.
/// </summary>
public sealed class StageKeyInputs
{
    /// <summary>Bump when the derivation changes, so old cache entries are not mistaken for new ones.</summary>
    public const int Schema = 1;

    public StageKeyInputs(StageName stage, JObject parameters, IReadOnlyDictionary<string, UpstreamDigest> upstream,
        IReadOnlyDictionary<string, DataFingerprint> data, string runtime, string deviceKind)
    {
        Stage = stage;
        Parameters = parameters;
        Upstream = upstream;
        Data = data;
        Runtime = runtime;
        DeviceKind = deviceKind;
        Key = ContentHash.OfText(CanonicalJson.Serialize(KeyDocument()));
    }

    public StageName Stage { get; }
    public JObject Parameters { get; }
    public IReadOnlyDictionary<string, UpstreamDigest> Upstream { get; }
    public IReadOnlyDictionary<string, DataFingerprint> Data { get; }
    public string Runtime { get; }
    public string DeviceKind { get; }
    public string Key { get; }

    public JObject KeyDocument()
    {
        var upstream = new JObject();
        foreach (var (role, d) in Upstream) upstream[role] = d.Sha256;
        var data = new JObject();
        foreach (var (role, f) in Data) data[role] = f.Fingerprint;
        return new JObject
        {
            ["schema"] = Schema,
            ["stage"] = Stage.Id,
            ["parameters"] = Parameters.DeepClone(),
            ["upstream"] = upstream,
            ["data"] = data,
            ["runtime"] = Runtime,
            ["device"] = DeviceKind,
        };
    }
}

/// <summary>An upstream output as read by a stage.</summary>
public sealed record UpstreamDigest(StageName Stage, string File, string Sha256, long Size);
