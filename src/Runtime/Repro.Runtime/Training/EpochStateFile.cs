using System.Globalization;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// An epoch checkpoint: one safetensors file holding a <see cref="TrainingState"/>. Tensors are
/// <c>model.*</c> (the state dict, torchvision names), <c>ema.*</c> (the averaged weights and buffers),
/// <c>momentum.*</c> (SGD buffers by parameter name) and <c>rng.torch</c>; the metadata holds the step
/// counts, our generators' states, the metrics so far and the run identity it belongs to.
/// </summary>
public static class EpochStateFile
{
    public const string Kind = "epoch-state";
    private const string ModelPrefix = "model.", EmaPrefix = "ema.", MomentumPrefix = "momentum.", TorchRngName = "rng.torch";

    /// <summary>The file of epoch <paramref name="epoch"/> in <paramref name="outDir"/>: epochs/epoch-0003.safetensors.</summary>
    public static string PathFor(string outDir, int epoch) =>
        Path.Combine(outDir, "epochs", $"epoch-{epoch.ToString("D4", CultureInfo.InvariantCulture)}.safetensors");

    public static void Write(string path, TrainingState state, RunIdentity identity, string modelConfigJson)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in state.Model) tensors[ModelPrefix + name] = t;
        foreach (var (name, t) in state.Ema) tensors[EmaPrefix + name] = t;
        foreach (var (name, t) in state.Momentum) tensors[MomentumPrefix + name] = t;
        tensors[TorchRngName] = state.TorchRng;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repro.kind"] = Kind,
            ["repro.model"] = modelConfigJson,
            ["repro.identity"] = identity.Text,
            ["repro.epoch"] = Invariant(state.CompletedEpochs),
            ["repro.step"] = Invariant(state.Step),
            ["repro.rng.order"] = state.OrderRng,
            ["repro.rng.augment"] = state.AugmentRng,
            ["repro.ema.updates"] = Invariant(state.EmaUpdates),
            ["repro.metrics"] = MetricsJson.Epochs(state.Metrics.Select(m => m.WithoutTiming())).ToString(Newtonsoft.Json.Formatting.None),
        };
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Reads an epoch state; anything that is not one is bad input naming the file.</summary>
    public static (TrainingState State, RunIdentity Identity) Read(string path)
    {
        using SafetensorsContent content = SafetensorsReader.Read(path);
        var meta = content.Metadata;
        string Meta(string key) => meta.TryGetValue(key, out string? v) ? v
            : throw new BadInputException($"{path}: not an epoch state (no {key} metadata)");
        if (Meta("repro.kind") != Kind)
            throw new BadInputException($"{path}: not an epoch state (repro.kind is \"{meta["repro.kind"]}\"); resume from a file in <out-dir>/epochs/");
        RunIdentity identity = RunIdentity.Parse(Meta("repro.identity"), path);
        try
        {
            Dictionary<string, Tensor> Take(string prefix) => content.Tensors
                .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.clone(), StringComparer.Ordinal);
            var state = new TrainingState
            {
                CompletedEpochs = int.Parse(Meta("repro.epoch"), NumberStyles.None, CultureInfo.InvariantCulture),
                Step = long.Parse(Meta("repro.step"), NumberStyles.None, CultureInfo.InvariantCulture),
                OrderRng = Meta("repro.rng.order"),
                AugmentRng = Meta("repro.rng.augment"),
                EmaUpdates = long.Parse(Meta("repro.ema.updates"), NumberStyles.None, CultureInfo.InvariantCulture),
                Model = Take(ModelPrefix),
                Ema = Take(EmaPrefix),
                Momentum = Take(MomentumPrefix),
                TorchRng = content.Tensors.TryGetValue(TorchRngName, out Tensor? rng) ? rng.clone()
                    : throw new BadInputException($"{path}: epoch state without {TorchRngName}"),
                Metrics = MetricsJson.ParseEpochs(JArray.Parse(Meta("repro.metrics"))),
            };
            return (state, identity);
        }
        catch (FormatException e)
        {
            throw new BadInputException($"{path}: malformed epoch state metadata: {e.Message}", e);
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            throw new BadInputException($"{path}: malformed epoch state metadata: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
