namespace Repro.Runtime.Calibration;

/// <summary>A per-channel vector in four numbers: enough to see a layer's scale and outliers in a report.</summary>
public sealed record VectorSummary(double Min, double Mean, double Max, double L2Norm)
{
    public static VectorSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new VectorSummary(double.NaN, double.NaN, double.NaN, 0);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, squares = 0;
        foreach (double v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            squares += v * v;
        }
        return new VectorSummary(min, sum / values.Count, max, Math.Sqrt(squares));
    }
}

/// <summary>
/// How far one layer's statistics moved.
/// <list type="bullet">
/// <item><c>MeanRelative</c> = ‖new_mean − old_mean‖₂ / ‖old_mean‖₂ and <c>VarRelative</c> likewise
/// (null when the old vector is all zeros, e.g. a freshly initialised running_mean);</item>
/// <item><c>MaxMeanShiftInOldStd</c> = max_c |new_mean_c − old_mean_c| / sqrt(old_var_c + eps): the
/// largest shift in units of the spread the layer was normalising with, which is scale-free and
/// defined even when the old mean is zero.</item>
/// </list>
/// </summary>
public sealed record LayerDrift(double? MeanRelative, double? VarRelative, double MaxMeanShiftInOldStd)
{
    public static LayerDrift Of(LayerRecalibration l)
    {
        double maxShift = 0;
        for (int c = 0; c < l.OldMean.Length; c++)
            maxShift = Math.Max(maxShift, Math.Abs(l.NewMean[c] - l.OldMean[c]) / Math.Sqrt(l.OldVar[c] + l.Eps));
        return new LayerDrift(Relative(l.NewMean, l.OldMean), Relative(l.NewVar, l.OldVar), maxShift);
    }

    private static double? Relative(double[] updated, double[] old)
    {
        double diff = 0, norm = 0;
        for (int c = 0; c < old.Length; c++)
        {
            double d = updated[c] - old[c];
            diff += d * d;
            norm += old[c] * old[c];
        }
        return norm == 0 ? null : Math.Sqrt(diff / norm);
    }
}
