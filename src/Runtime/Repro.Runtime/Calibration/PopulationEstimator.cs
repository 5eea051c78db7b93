namespace Repro.Runtime.Calibration;

/// <summary>
/// The default estimator: the true statistics of everything the layer saw.
///
/// Over all N = Σ_b n_b elements of a channel (every batch on every rank, each weighted by its
/// element count, so a small last batch weighs what its samples weigh):
///   running_mean = (1/N) Σ x = Σ_b n_b·m_b / N
///   running_var  = M2 / (N − 1),   M2 = Σ (x − running_mean)² = Σ_b [ (n_b − 1)·v_b + n_b·(m_b − running_mean)² ]
/// The variance is unbiased over the total element count, PyTorch's convention for running_var: it is
/// exactly what one train-mode batch of all S samples would store with momentum 1. (fvcore's
/// population estimator stores the biased M2 / N, undocumented, a factor (N−1)/N off, which matters
/// for late layers whose N is only S·1·1; and it forms it as E[x²] − E[x]² in the model's dtype,
/// which cancels to noise when |mean| ≫ std. Here M2 is a sum of non-negative float64 terms.)
/// This is Wu &amp; Johnson 2021's "population statistics", and it converges for small batches where
/// the mean of batch variances is biased low by the scatter of the batch means.
/// </summary>
public static class PopulationEstimator
{
    public static LayerEstimate Estimate(PooledMoments m)
    {
        if (m.Count < 2)
            throw new ArgumentException($"the population variance needs at least 2 values per channel, got {m.Count}", nameof(m));
        var mean = (double[])m.Mean.Clone();
        var variance = new double[m.Channels];
        double denominator = m.Count - 1;
        for (int c = 0; c < variance.Length; c++)
            variance[c] = m.M2[c] / denominator;
        return new LayerEstimate(mean, variance);
    }
}
