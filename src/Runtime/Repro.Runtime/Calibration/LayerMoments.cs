using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>
/// One BN layer's sufficient statistics on this rank, kept on the layer's device in float64 and
/// updated with tensor ops only, so the batch loop never waits for the device.
///
/// For each batch b the BN kernel has just computed, per channel, the batch mean m_b and the unbiased
/// batch variance v_b over n_b = numel / C elements (the layer runs with momentum 1, so its running
/// buffers hold exactly those). From them we keep:
/// <list type="bullet">
/// <item>for <c>population</c>: n = Σ n_b, the pooled mean, and M2 = Σ (x − mean)² over every element,
/// merged batch by batch with Chan et al.'s update (below);</item>
/// <item>for <c>mean-of-batch-var</c>: K (the batch count), Σ m_b and Σ v_b.</item>
/// </list>
/// Counts are exact integers on the host: n_b comes from the input's shape, which needs no device sync.
/// </summary>
public sealed class LayerMoments : IDisposable
{
    private readonly Tensor _mean;
    private readonly Tensor _m2;
    private readonly Tensor _sumBatchMean;
    private readonly Tensor _sumBatchVar;

    public LayerMoments(long channels, Device device)
    {
        _mean = zeros(channels, ScalarType.Float64, device);
        _m2 = zeros(channels, ScalarType.Float64, device);
        _sumBatchMean = zeros(channels, ScalarType.Float64, device);
        _sumBatchVar = zeros(channels, ScalarType.Float64, device);
        Channels = channels;
    }

    public long Channels { get; }

    /// <summary>Σ n_b: elements per channel seen on this rank.</summary>
    public long Count { get; private set; }

    /// <summary>K: batches this layer saw on this rank.</summary>
    public long Batches { get; private set; }

    /// <summary>
    /// Adds one batch. <paramref name="batchMean"/> and <paramref name="batchVar"/> (unbiased) may be any
    /// float dtype; they are widened to float64 before anything is added.
    ///
    /// Chan, Golub &amp; LeVeque (1979) pairwise merge of (n_a, mean_a, M2_a) with (n_b, m_b, M2_b):
    ///   n = n_a + n_b,  δ = m_b − mean_a,
    ///   mean = mean_a + δ · n_b / n,
    ///   M2   = M2_a + M2_b + δ² · n_a · n_b / n,   with M2_b = v_b · (n_b − 1).
    /// Every term added to M2 is non-negative, so unlike Σx² − n·mean² nothing cancels, however far the
    /// channel mean is from zero. The coefficients are host scalars, so each update is a handful of
    /// kernels over C elements.
    /// </summary>
    public void Add(Tensor batchMean, Tensor batchVar, long batchCount)
    {
        if (batchCount < 2)
            throw new ArgumentOutOfRangeException(nameof(batchCount), batchCount, "a batch needs at least 2 values per channel");
        using var scope = NewDisposeScope();
        Tensor m = batchMean.to(ScalarType.Float64, copy: true);
        Tensor v = batchVar.to(ScalarType.Float64, copy: true);

        long na = Count, nb = batchCount, n = na + nb;
        Tensor delta = m - _mean;
        _mean.add_(delta, alpha: (double)nb / n);
        _m2.add_(v, alpha: (double)(nb - 1));
        _m2.addcmul_(delta, delta, value: (double)na * nb / n);
        _sumBatchMean.add_(m);
        _sumBatchVar.add_(v);
        Count = n;
        Batches++;
    }

    /// <summary>Copies this rank's statistics to the host (one device sync, after the batch loop).</summary>
    public RankMoments ToHost() => new(
        Count, Batches,
        ToDoubles(_mean), ToDoubles(_m2), ToDoubles(_sumBatchMean), ToDoubles(_sumBatchVar));

    private static double[] ToDoubles(Tensor t)
    {
        using var host = t.cpu();
        return host.data<double>().ToArray();
    }

    public void Dispose()
    {
        _mean.Dispose();
        _m2.Dispose();
        _sumBatchMean.Dispose();
        _sumBatchVar.Dispose();
    }
}

/// <summary>One layer's statistics from one rank, on the host, ready to be combined across ranks.</summary>
public sealed record RankMoments(
    long Count, long Batches, double[] Mean, double[] M2, double[] SumBatchMean, double[] SumBatchVar);
