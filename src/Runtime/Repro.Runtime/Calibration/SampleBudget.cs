namespace Repro.Runtime.Calibration;

/// <summary>
/// How many samples and batches a run uses, decided before any data is read. Unlike mmcls/pycls,
/// which compute num_iter = S // (batch × ranks) and so recalibrate with zero batches (and store zeros)
/// when S &lt; batch × ranks, every sample up to S is used, in ⌈S/B⌉ batches whose last may be partial,
/// whatever the rank count.
/// </summary>
public sealed record SampleBudget(long Requested, long Available, long Samples, int BatchSize)
{
    /// <summary>mmcls / mmpretrain's default, enough for stable statistics of ImageNet-scale ResNets.</summary>
    public const long DefaultSamples = 8192;

    public long Batches => (Samples + BatchSize - 1) / BatchSize;

    /// <summary>Size of the last batch: BatchSize unless Samples is not a multiple of it.</summary>
    public long LastBatchSize => Samples - (Batches - 1) * BatchSize;

    /// <summary>What a user should know about how the request was met.</summary>
    public IReadOnlyList<string> Notes
    {
        get
        {
            var notes = new List<string>();
            if (Available < Requested)
                notes.Add($"--samples {Requested}: the data has only {Available} samples; using all {Available}");
            if (Samples < BatchSize)
                notes.Add($"{Samples} samples < --batch-size {BatchSize}: one partial batch of {Samples}");
            else if (LastBatchSize != BatchSize)
                notes.Add($"{Batches} batches: {Batches - 1} of {BatchSize} and a last one of {LastBatchSize}");
            return notes;
        }
    }

    /// <param name="requested">S, --samples</param>
    /// <param name="available">samples in the data source</param>
    /// <param name="batchSize">B, --batch-size</param>
    public static SampleBudget Plan(long requested, long available, int batchSize)
    {
        if (requested <= 0)
            throw new BadInputException($"--samples {requested}: must be at least 1.");
        if (batchSize <= 0)
            throw new BadInputException($"--batch-size {batchSize}: must be at least 1.");
        if (available <= 0)
            throw new BadInputException("--data: the data source has no samples.");
        return new SampleBudget(requested, available, Math.Min(requested, available), batchSize);
    }
}
