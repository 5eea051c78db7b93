using Repro.Runtime.Data;

namespace Repro.Runtime.Calibration;

/// <summary>
/// How a run's request for S samples in batches of B was met, in words for the report. The plan
/// itself (clamping S to the data, usage errors, order, rank shards) is <see cref="BatchPlan"/>'s.
/// Unlike mmcls/pycls, which run S // (B × ranks) whole batches (none, and zero statistics, when
/// S &lt; B × ranks), every one of the S samples is used: ⌈S/B⌉ batches, the last possibly partial.
/// </summary>
public static class SampleNotes
{
    /// <summary>mmcls / mmpretrain's default S.</summary>
    public const long DefaultSamples = 8192;

    public static IReadOnlyList<string> For(BatchPlan plan)
    {
        var notes = new List<string>();
        long batches = plan.Batches.Count;
        long last = batches == 0 ? 0 : plan.Batches[^1].Count;
        if (plan.IsClamped)
            notes.Add($"--samples {plan.RequestedSamples}: the data has only {plan.DatasetCount} samples; using all {plan.Samples}");
        if (plan.Samples < plan.BatchSize)
            notes.Add($"{plan.Samples} samples < --batch-size {plan.BatchSize}: one partial batch of {plan.Samples}");
        else if (last != plan.BatchSize)
            notes.Add($"{batches} batches: {batches - 1} of {plan.BatchSize} and a last one of {last}");
        return notes;
    }
}
