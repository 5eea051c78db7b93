namespace Repro.Runtime.Training;

/// <summary>
/// The learning rate of every optimizer step, as a pure function of the step index, so a resumed run
/// needs nothing but the step count to continue the schedule exactly.
/// <para>
/// With S steps per epoch, T = epochs·S steps in all, W = round(warmupEpochs·S) warm-up steps and peak
/// rate η, the rate at step t (0-based) is
/// <list type="bullet">
/// <item>warm-up, t &lt; W: η·(t + 1)/W, a straight line that reaches η at the last warm-up step (Goyal et al. 2017);</item>
/// <item>cosine: η·½(1 + cos(π·(t − W)/(T − W))), from η down towards 0 (Loshchilov &amp; Hutter 2017);</item>
/// <item>step: η·γ^k with k the number of milestones m (in epochs) such that t/S ≥ m;</item>
/// <item>constant: η.</item>
/// </list>
/// </para>
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly TrainConfig _config;

    public LearningRateSchedule(TrainConfig config, int stepsPerEpoch)
    {
        if (stepsPerEpoch <= 0) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch));
        _config = config;
        StepsPerEpoch = stepsPerEpoch;
        TotalSteps = (long)config.Epochs * stepsPerEpoch;
        WarmupSteps = Math.Min(TotalSteps, (long)Math.Round(config.WarmupEpochs * stepsPerEpoch, MidpointRounding.AwayFromZero));
    }

    public int StepsPerEpoch { get; }
    public long TotalSteps { get; }
    public long WarmupSteps { get; }

    public double At(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step));
        double peak = _config.Lr;
        if (step < WarmupSteps)
            return peak * (step + 1) / WarmupSteps;
        switch (_config.Schedule)
        {
            case LrScheduleKind.Cosine:
                long span = TotalSteps - WarmupSteps;
                double progress = span == 0 ? 1.0 : Math.Min(1.0, (double)(step - WarmupSteps) / span);
                return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
            case LrScheduleKind.Step:
                double epoch = (double)step / StepsPerEpoch;
                int passed = _config.Milestones.Count(m => epoch >= m);
                return peak * Math.Pow(_config.Gamma, passed);
            default:
                return peak;
        }
    }
}
