namespace Repro.Runtime.Calibration;

/// <summary>
/// Parity with pycls / mmcls / mmpretrain's PreciseBNHook and torch.optim.swa_utils.update_bn: the
/// equal-weight average over the K batches the layer saw (all ranks together) of the per-batch
/// mean and the per-batch unbiased variance:
///   running_mean = (1/K) Σ_b m_b
///   running_var  = (1/K) Σ_b v_b,     v_b = Σ_{x in b} (x − m_b)² / (n_b − 1)
/// A smaller last batch counts as one batch like the others, as it does there. Unlike mmpretrain,
/// the K batches are pooled across ranks by count, not averaged per rank and then scaled by
/// 1/world_size, so ranks with different batch counts still give the one-rank answer.
/// Compared with the population identity M2 = Σ_b (n_b − 1)·v_b + Σ_b n_b·(m_b − mean)², it drops the
/// between-batch term. That is harmless only if batch means scatter as little as independent samples
/// would; the elements of a conv layer's batch are correlated pixels of a few images, so it is biased
/// low, more so for small batches (Wu &amp; Johnson 2021, Sec. 3). Choose it to reproduce those tools.
/// </summary>
public static class MeanOfBatchVarianceEstimator
{
    public static LayerEstimate Estimate(PooledMoments m)
    {
        if (m.Batches < 1)
            throw new ArgumentException("the mean of batch variances needs at least one batch", nameof(m));
        var mean = new double[m.Channels];
        var variance = new double[m.Channels];
        double k = m.Batches;
        for (int c = 0; c < mean.Length; c++)
        {
            mean[c] = m.SumBatchMean[c] / k;
            variance[c] = m.SumBatchVar[c] / k;
        }
        return new LayerEstimate(mean, variance);
    }
}
