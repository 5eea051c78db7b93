namespace Repro.Runtime.Calibration;

/// <summary>How the per-batch statistics a BN layer saw become its running_mean / running_var.</summary>
public enum PreciseBnEstimator
{
    /// <summary>Exact mean and unbiased variance over every element the layer saw. See <see cref="PopulationEstimator"/>.</summary>
    Population,

    /// <summary>Equal-weight average of per-batch means and unbiased variances. See <see cref="MeanOfBatchVarianceEstimator"/>.</summary>
    MeanOfBatchVar,
}

public static class PreciseBnEstimators
{
    public const string PopulationName = "population";
    public const string MeanOfBatchVarName = "mean-of-batch-var";

    public static string Name(this PreciseBnEstimator estimator) => estimator switch
    {
        PreciseBnEstimator.Population => PopulationName,
        PreciseBnEstimator.MeanOfBatchVar => MeanOfBatchVarName,
        _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, null),
    };

    /// <param name="option">the option the value came from, for the error message</param>
    public static PreciseBnEstimator Parse(string? value, string option = "--estimator") =>
        (value ?? "").Trim().ToLowerInvariant() switch
        {
            PopulationName => PreciseBnEstimator.Population,
            MeanOfBatchVarName => PreciseBnEstimator.MeanOfBatchVar,
            _ => throw new BadInputException(
                $"{option} {value}: unknown estimator; use {PopulationName} or {MeanOfBatchVarName}."),
        };
}
