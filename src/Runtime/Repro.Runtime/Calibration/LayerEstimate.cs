namespace Repro.Runtime.Calibration;

/// <summary>The running_mean and running_var one estimator produces for one layer, in float64.</summary>
public sealed record LayerEstimate(double[] Mean, double[] Var)
{
    /// <summary>The first channel whose mean or variance is NaN or infinite, or null when all are finite.</summary>
    public string? FirstNonFinite()
    {
        for (int c = 0; c < Mean.Length; c++)
            if (!double.IsFinite(Mean[c])) return $"running_mean[{c}] = {Mean[c]}";
        for (int c = 0; c < Var.Length; c++)
            if (!double.IsFinite(Var[c])) return $"running_var[{c}] = {Var[c]}";
        return null;
    }

    public static LayerEstimate Of(PreciseBnEstimator estimator, PooledMoments moments) => estimator switch
    {
        PreciseBnEstimator.Population => PopulationEstimator.Estimate(moments),
        PreciseBnEstimator.MeanOfBatchVar => MeanOfBatchVarianceEstimator.Estimate(moments),
        _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, null),
    };
}
