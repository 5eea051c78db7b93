namespace Repro.Runtime.Calibration;

/// <summary>What Precise BN did to one layer. Arrays are per channel, float64.</summary>
public sealed record LayerRecalibration(
    string Name,
    string Kind,
    long Channels,
    double Eps,
    long ElementsPerChannel,
    long Batches,
    double[] OldMean,
    double[] OldVar,
    double[] NewMean,
    double[] NewVar);

/// <summary>The outcome of one run, the same on every rank.</summary>
public sealed record PreciseBnResult(
    PreciseBnEstimator Estimator,
    int Ranks,
    IReadOnlyList<LayerRecalibration> Layers,
    IReadOnlyList<SkippedNormLayer> Skipped,
    long SamplesUsed,
    long BatchesUsed,
    long SamplesDropped,
    long BatchesDropped,
    IReadOnlyList<string> Notes,
    TimeSpan Duration,
    TimeSpan Reduction = default)
{
    /// <summary>True when nothing was recalibrated (no BN in training mode); the model is untouched.</summary>
    public bool NothingToDo => Layers.Count == 0;
}

/// <summary>A run that must not write anything: non-finite statistics, a layer that saw no data, a failed rank.</summary>
public sealed class PreciseBnException(string message, Exception? inner = null) : Exception(message, inner);
