using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>A BatchNorm layer Precise BN recomputes: in training mode and tracking running statistics.</summary>
public sealed record RecalibratedLayer(string Name, BatchNorm Module)
{
    public string Kind => Module.GetType().Name;
    public long Channels => Module.num_features;
}

/// <summary>A normalisation layer Precise BN leaves alone, and why.</summary>
public sealed record SkippedNormLayer(string Name, string Kind, string Reason);

/// <summary>Every normalisation layer of a model, sorted by what Precise BN does with it.</summary>
public sealed record NormLayerCensus(
    IReadOnlyList<RecalibratedLayer> Recalibrated,
    IReadOnlyList<SkippedNormLayer> Skipped)
{
    public bool HasBatchNorm => Recalibrated.Count > 0 || Skipped.Any(s => s.Kind.StartsWith("BatchNorm", StringComparison.Ordinal));
}

/// <summary>
/// Finds the layers to recalibrate. Like fvcore and mmpretrain, a BN layer's own training flag is the
/// switch: a layer someone put in eval mode is frozen on purpose (e.g. a pretrained backbone's BN) and
/// is not touched. Unlike them, everything not recalibrated is named, so nobody believes a GroupNorm
/// model was "precise-BN'd".
/// </summary>
public static class BatchNormDiscovery
{
    public const string FrozenReason = "frozen: BatchNorm in eval mode; its statistics are left as they are";
    public const string NotTrackingReason = "track_running_stats is off: the layer always normalises with batch statistics and stores none";
    public const string OtherNormReason = "not a BatchNorm: it normalises each sample on its own, so it has no population statistics to recalibrate";
    public const string InstanceNormTrackingReason = "InstanceNorm running statistics are per-sample statistics averaged over training; Precise BN does not recompute them";

    public static NormLayerCensus Census(nn.Module model)
    {
        var recalibrated = new List<RecalibratedLayer>();
        var skipped = new List<SkippedNormLayer>();
        foreach (var (name, module) in NamedModulesWithRoot(model))
        {
            string kind = module.GetType().Name;
            switch (module)
            {
                case BatchNorm bn when !bn.track_running_stats || bn.running_mean is null || bn.running_var is null:
                    skipped.Add(new SkippedNormLayer(name, kind, NotTrackingReason));
                    break;
                case BatchNorm bn when !bn.training:
                    skipped.Add(new SkippedNormLayer(name, kind, FrozenReason));
                    break;
                case BatchNorm bn:
                    recalibrated.Add(new RecalibratedLayer(name, bn));
                    break;
                case InstanceNorm inorm when inorm.track_running_stats:
                    skipped.Add(new SkippedNormLayer(name, kind, InstanceNormTrackingReason));
                    break;
                case GroupNorm or LayerNorm or InstanceNorm:
                    skipped.Add(new SkippedNormLayer(name, kind, OtherNormReason));
                    break;
            }
        }
        return new NormLayerCensus(recalibrated, skipped);
    }

    /// <summary>A layer's name for messages; the root module (a bare BatchNorm used as the model) has the empty name.</summary>
    public static string Quote(string name) => name.Length == 0 ? "(the model itself)" : $"'{name}'";

    /// <summary>TorchSharp's named_modules() leaves out the root; a bare BatchNorm is a model too.</summary>
    internal static IEnumerable<(string Name, nn.Module Module)> NamedModulesWithRoot(nn.Module model)
    {
        yield return ("", model);
        foreach (var (name, module) in model.named_modules())
            yield return (name, module);
    }
}
