using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Everything a run needs to continue bit for bit after an epoch: the weights and buffers, the optimizer's
/// momentum, the EMA, both of our generators (data order and augmentation), torch's own generator, the
/// step count (which fixes the LR schedule) and the metrics so far. All tensors are CPU copies owned by
/// this object.
/// </summary>
public sealed class TrainingState : IDisposable
{
    public required int CompletedEpochs { get; init; }
    public required long Step { get; init; }
    public required string OrderRng { get; init; }
    public required string AugmentRng { get; init; }
    public required long EmaUpdates { get; init; }
    public required IReadOnlyDictionary<string, Tensor> Model { get; init; }
    public required IReadOnlyDictionary<string, Tensor> Ema { get; init; }
    public required IReadOnlyDictionary<string, Tensor> Momentum { get; init; }
    /// <summary>libtorch's CPU generator state (uint8), for modules that draw from it (dropout).</summary>
    public required Tensor TorchRng { get; init; }
    public required IReadOnlyList<EpochMetrics> Metrics { get; init; }

    public void Dispose()
    {
        foreach (Tensor t in Model.Values.Concat(Ema.Values).Concat(Momentum.Values)) t.Dispose();
        TorchRng.Dispose();
    }
}
