using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Models;

namespace Repro.Runtime.Training;

/// <summary>
/// What a training run is, as far as its bits go: the model config, the train config without execution
/// settings (threads, eval batch size) and the data specs, in canonical JSON. An epoch state records it,
/// and a resume is refused unless the resuming run has the same identity, because continuing a run
/// under another config would produce a checkpoint that neither config describes.
/// </summary>
public sealed class RunIdentity
{
    private RunIdentity(JObject canonical)
    {
        Canonical = canonical;
        Text = TrainConfigJson.ToCanonicalString(canonical);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
    }

    public JObject Canonical { get; }
    public string Text { get; }
    public string Sha256 { get; }

    public static RunIdentity Of(ResNetConfig model, TrainConfig train, string trainData, string? testData) =>
        new(new JObject
        {
            ["data"] = new JObject { ["test"] = testData, ["train"] = trainData },
            ["model"] = JObject.Parse(model.ToJson()),
            ["train"] = TrainConfigJson.ToCanonicalJson(train, includeExecution: false),
        });

    public static RunIdentity Parse(string text, string where)
    {
        try
        {
            return new RunIdentity(JObject.Parse(text));
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            throw new BadInputException($"{where}: the recorded run identity is not valid JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>The first leaf that differs, as "train.lr is 0.1 there, 0.2 here"; null when identical.</summary>
    public string? FirstDifference(RunIdentity here)
    {
        if (Text == here.Text) return null;
        return Difference(Canonical, here.Canonical, "") ?? "the recorded identity differs";
    }

    private static string? Difference(JToken there, JToken here, string path)
    {
        if (there is JObject a && here is JObject b)
        {
            foreach (string key in a.Properties().Select(p => p.Name).Union(b.Properties().Select(p => p.Name)).Order(StringComparer.Ordinal))
            {
                string sub = path.Length == 0 ? key : $"{path}.{key}";
                JToken? x = a[key], y = b[key];
                if (x is null || y is null)
                    return $"{sub} is {Show(x)} there, {Show(y)} here";
                if (Difference(x, y, sub) is { } d) return d;
            }
            return null;
        }
        return JToken.DeepEquals(there, here) ? null : $"{path} is {Show(there)} there, {Show(here)} here";
    }

    private static string Show(JToken? t) => t is null ? "absent" : TrainConfigJson.ToCanonicalString(t);
}
