namespace Repro.Runtime.Training;

/// <summary>What one epoch did. Losses are means over samples; accuracies are fractions in [0, 1].</summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    public double Lr { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public long TrainSamples { get; init; }
    public double? TestLoss { get; init; }
    public double? TestAccuracy { get; init; }
    public long TestSamples { get; init; }
    /// <summary>
    /// Wall time of the epoch's training steps alone (no evaluation, no checkpoint writing). Null for
    /// epochs restored from an epoch state, which keeps only what is reproducible.
    /// </summary>
    public double? TrainSeconds { get; init; }
    public double? EvalSeconds { get; init; }
    public double? SamplesPerSecond => TrainSeconds > 0 ? TrainSamples / TrainSeconds : null;

    /// <summary>The same metrics without wall-clock figures: the part that two identical runs share bit for bit.</summary>
    public EpochMetrics WithoutTiming() => this with { TrainSeconds = null, EvalSeconds = null };
}
