namespace Repro.Runtime.Training;

/// <summary>How the learning rate moves after the linear warm-up (see <see cref="LearningRateSchedule"/>).</summary>
public enum LrScheduleKind
{
    /// <summary>Half a cosine from the peak LR down to zero over the steps after warm-up.</summary>
    Cosine,
    /// <summary>The peak LR multiplied by <c>gamma</c> at each milestone epoch.</summary>
    Step,
    /// <summary>The peak LR throughout (after warm-up).</summary>
    Constant,
}

/// <summary>What the EMA does with the model's buffers (BatchNorm running statistics, counters).</summary>
public enum EmaBufferMode
{
    /// <summary>Each EMA update copies the model's buffers as they are (timm's and mmpretrain's default).</summary>
    Copy,
    /// <summary>Floating-point buffers are averaged like the weights; integer buffers are still copied.</summary>
    Average,
}

/// <summary>Seeded data augmentation applied to each training batch.</summary>
/// <param name="RandomCropPadding">Zero-pad each side by this many pixels, then crop back to the original size at a random offset; 0 turns it off.</param>
/// <param name="HorizontalFlip">Mirror each image left-right with probability ½.</param>
public sealed record AugmentConfig(int RandomCropPadding = 0, bool HorizontalFlip = false)
{
    public bool Enabled => RandomCropPadding > 0 || HorizontalFlip;
}

/// <summary>Exponential moving average of the weights (see <see cref="WeightEma"/>).</summary>
/// <param name="Decay">In [0, 1): e ← e + (1 − decay)(p − e).</param>
/// <param name="Interval">Update the EMA every this many optimizer steps.</param>
/// <param name="WarmupSteps">0: constant decay. Otherwise the decay at optimizer step t is decay·(1 − exp(−t / warmupSteps)).</param>
/// <param name="Buffers">Copy or average the model's buffers.</param>
public sealed record EmaConfig(double Decay = 0.999, int Interval = 1, double WarmupSteps = 0, EmaBufferMode Buffers = EmaBufferMode.Copy);

/// <summary>
/// The <c>train</c> section of an experiment. Everything that changes the trained bits is in here
/// (except the thread count, which is an execution setting that still changes them: see README "Determinism").
/// </summary>
public sealed record TrainConfig
{
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    /// <summary>Peak learning rate, reached at the end of warm-up.</summary>
    public double Lr { get; init; }
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; }
    /// <summary>false: BatchNorm weights/biases and every bias are exempt from weight decay.</summary>
    public bool DecayBnAndBias { get; init; }
    public LrScheduleKind Schedule { get; init; } = LrScheduleKind.Cosine;
    /// <summary>Step schedule only: epochs (fractions allowed) at which the LR is multiplied by <see cref="Gamma"/>.</summary>
    public IReadOnlyList<double> Milestones { get; init; } = Array.Empty<double>();
    public double Gamma { get; init; } = 0.1;
    public double WarmupEpochs { get; init; }
    public double LabelSmoothing { get; init; }
    public AugmentConfig Augment { get; init; } = new();
    public long Seed { get; init; }
    public int Threads { get; init; } = 1;
    /// <summary>Batch size for evaluating the test set after each epoch; it does not touch the trained bits.</summary>
    public int EvalBatchSize { get; init; } = 1000;
    public EmaConfig Ema { get; init; } = new();

    /// <summary>Throws <see cref="BadInputException"/> naming <paramref name="where"/> and the first value out of range.</summary>
    public TrainConfig Validated(string where)
    {
        void Fail(string key, string why) => throw new BadInputException($"{where}: train.{key} {why}");
        if (Epochs <= 0) Fail("epochs", $"must be at least 1 (got {Epochs})");
        if (BatchSize <= 0) Fail("batchSize", $"must be at least 1 (got {BatchSize})");
        if (!(Lr > 0) || double.IsInfinity(Lr)) Fail("lr", $"must be a positive number (got {Lr})");
        if (!(Momentum >= 0 && Momentum < 1)) Fail("momentum", $"must be in [0, 1) (got {Momentum})");
        if (Nesterov && Momentum == 0) Fail("nesterov", "needs a momentum above 0");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) Fail("weightDecay", $"must be 0 or more (got {WeightDecay})");
        if (Schedule == LrScheduleKind.Step && Milestones.Count == 0) Fail("milestones", "must list at least one epoch for schedule \"step\"");
        if (Schedule != LrScheduleKind.Step && Milestones.Count > 0) Fail("milestones", $"only applies to schedule \"step\" (schedule is \"{Schedule.ToString().ToLowerInvariant()}\")");
        for (int i = 0; i < Milestones.Count; i++)
        {
            if (!(Milestones[i] > 0 && Milestones[i] < Epochs)) Fail("milestones", $"must lie strictly between 0 and epochs {Epochs} (got {Milestones[i]})");
            if (i > 0 && !(Milestones[i] > Milestones[i - 1])) Fail("milestones", "must be increasing");
        }
        if (!(Gamma > 0 && Gamma <= 1)) Fail("gamma", $"must be in (0, 1] (got {Gamma})");
        if (!(WarmupEpochs >= 0 && WarmupEpochs <= Epochs)) Fail("warmupEpochs", $"must be in [0, epochs] (got {WarmupEpochs})");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) Fail("labelSmoothing", $"must be in [0, 1) (got {LabelSmoothing})");
        if (Augment.RandomCropPadding < 0) Fail("augment.randomCropPadding", $"must be 0 or more (got {Augment.RandomCropPadding})");
        if (Threads <= 0) Fail("threads", $"must be at least 1 (got {Threads})");
        if (EvalBatchSize <= 0) Fail("evalBatchSize", $"must be at least 1 (got {EvalBatchSize})");
        if (!(Ema.Decay >= 0 && Ema.Decay < 1)) Fail("ema.decay", $"must be in [0, 1) (got {Ema.Decay})");
        if (Ema.Interval <= 0) Fail("ema.interval", $"must be at least 1 (got {Ema.Interval})");
        if (!(Ema.WarmupSteps >= 0) || double.IsInfinity(Ema.WarmupSteps)) Fail("ema.warmupSteps", $"must be 0 or more (got {Ema.WarmupSteps})");
        return this;
    }
}
