using Repro.Runtime.Collectives;

namespace Repro.Runtime.Calibration;

public sealed record PreciseBnOptions
{
    public PreciseBnEstimator Estimator { get; init; } = PreciseBnEstimator.Population;

    /// <summary>The ranks this run spans. Each rank passes its own whole batches (batch k round-robin to rank k mod N).</summary>
    public ICollective Collective { get; init; } = SingleProcessCollective.Instance;

    /// <summary>Called after each batch this rank processed, with the running count of this rank's batches.</summary>
    public Action<long>? OnBatch { get; init; }
}
