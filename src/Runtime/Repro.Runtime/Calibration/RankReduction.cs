using Repro.Runtime.Collectives;

namespace Repro.Runtime.Calibration;

/// <summary>One layer's statistics over every rank: what the estimators read.</summary>
public sealed record PooledMoments(
    long Count, long Batches, double[] Mean, double[] M2, double[] SumBatchMean, double[] SumBatchVar)
{
    public int Channels => Mean.Length;
}

/// <summary>
/// Combines every rank's <see cref="RankMoments"/> with sum all-reduces over flat host buffers.
///
/// Why two rounds of sums rather than one: counts, Σ n_r·mean_r, Σ m_b and Σ v_b are plain sums, but
/// M2 is not. The k-way form of Chan's merge is
///   mean = Σ n_r·mean_r / n,     M2 = Σ_r [ M2_r + n_r·(mean_r − mean)² ],
/// which needs the global mean first: round one sums the counts and the n_r·mean_r (and the
/// mean-of-batch-var sums); every rank then knows the same global mean and round two sums the
/// bracketed terms. All of them are non-negative, so nothing cancels, and the result is the same
/// formula a single rank evaluates over the union of the batches: N ranks equal one rank up to the
/// order of float64 additions. The alternative, Σx² about a shift, cancels catastrophically unless
/// every rank agrees on a shift close to the mean before the first batch, which nothing provides.
///
/// Shards must be whole batches (batch k is the same samples whatever the rank count), because in
/// train mode a batch's composition changes what the next BN layer sees; the reduction cannot fix a
/// sharding that splits batches.
/// </summary>
public static class RankReduction
{
    public static IReadOnlyList<PooledMoments> AllReduce(IReadOnlyList<RankMoments> local, ICollective collective)
    {
        ArgumentNullException.ThrowIfNull(collective);
        int layers = local.Count;
        int totalChannels = local.Sum(l => l.Mean.Length);

        // Round one: integer counts exactly, and the plain sums.
        var counts = new long[2 * layers];
        var sums = new double[3 * totalChannels];
        for (int l = 0, offset = 0; l < layers; offset += local[l].Mean.Length, l++)
        {
            RankMoments r = local[l];
            counts[2 * l] = r.Count;
            counts[2 * l + 1] = r.Batches;
            for (int c = 0; c < r.Mean.Length; c++)
            {
                sums[offset + c] = r.Count * r.Mean[c];
                sums[totalChannels + offset + c] = r.SumBatchMean[c];
                sums[2 * totalChannels + offset + c] = r.SumBatchVar[c];
            }
        }
        collective.AllReduceSum(counts);
        collective.AllReduceSum(sums);

        // Round two: M2_r + n_r·(mean_r − mean)² about the now-shared global mean.
        var globalMeans = new double[totalChannels];
        var m2 = new double[totalChannels];
        for (int l = 0, offset = 0; l < layers; offset += local[l].Mean.Length, l++)
        {
            RankMoments r = local[l];
            long n = counts[2 * l];
            for (int c = 0; c < r.Mean.Length; c++)
            {
                double mean = n > 0 ? sums[offset + c] / n : double.NaN;
                globalMeans[offset + c] = mean;
                double d = r.Count > 0 ? r.Mean[c] - mean : 0.0;
                m2[offset + c] = r.M2[c] + r.Count * d * d;
            }
        }
        collective.AllReduceSum(m2);

        var pooled = new PooledMoments[layers];
        for (int l = 0, offset = 0; l < layers; offset += local[l].Mean.Length, l++)
        {
            int channels = local[l].Mean.Length;
            pooled[l] = new PooledMoments(
                counts[2 * l], counts[2 * l + 1],
                globalMeans.AsSpan(offset, channels).ToArray(),
                m2.AsSpan(offset, channels).ToArray(),
                sums.AsSpan(totalChannels + offset, channels).ToArray(),
                sums.AsSpan(2 * totalChannels + offset, channels).ToArray());
        }
        return pooled;
    }
}
