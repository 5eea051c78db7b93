namespace Repro.Runtime.Data;

/// <summary>
/// Which samples go into which batch, decided once, before any tensor is touched.
/// <list type="bullet">
/// <item><c>sequential</c>: the first S samples in file order.</item>
/// <item><c>shuffle</c>: the first S positions of a forward Fisher–Yates shuffle of 0…N−1 driven by
/// <see cref="SplitMix64"/>(seed): for i = 0, 1, …: j = i + NextBelow(N − i), swap(p[i], p[j]).
/// Step i only touches positions ≥ i, so the first S positions are final after S steps, and a
/// plan with more samples extends one with fewer. Integer arithmetic only: the same on every platform.</item>
/// </list>
/// Those S samples are cut into consecutive batches of B; the last is smaller when S % B ≠ 0.
/// <para>
/// Ranks share by whole batches: rank r of W takes batches k with k % W = r (<see cref="ForRank"/>).
/// Batch k holds the same samples whatever W, the shards are disjoint and together cover every
/// batch, which is what lets N ranks reproduce one rank's statistics exactly.
/// </para>
/// S > N is clamped to N (<see cref="IsClamped"/>; callers report it). S ≤ 0 and B ≤ 0 are bad input
/// naming <c>--samples</c> and <c>--batch-size</c>.
/// </summary>
public sealed class BatchPlan
{
    private readonly PlannedBatch[] _batches;

    private BatchPlan(long datasetCount, long requested, long samples, int batchSize, SampleOrder order, ulong seed, PlannedBatch[] batches)
    {
        DatasetCount = datasetCount;
        RequestedSamples = requested;
        Samples = samples;
        BatchSize = batchSize;
        Order = order;
        Seed = seed;
        _batches = batches;
    }

    public long DatasetCount { get; }
    /// <summary>S as asked for.</summary>
    public long RequestedSamples { get; }
    /// <summary>S actually used: min(requested, N).</summary>
    public long Samples { get; }
    public bool IsClamped => Samples < RequestedSamples;
    public int BatchSize { get; }
    public SampleOrder Order { get; }
    /// <summary>The shuffle's seed (unused by sequential plans).</summary>
    public ulong Seed { get; }
    /// <summary>All batches, k = 0, 1, …</summary>
    public IReadOnlyList<PlannedBatch> Batches => _batches;

    /// <param name="datasetCount">N, the number of samples in the dataset.</param>
    /// <param name="samples">S, how many to use (<c>--samples</c>).</param>
    /// <param name="batchSize">B (<c>--batch-size</c>).</param>
    public static BatchPlan Create(long datasetCount, long samples, int batchSize, SampleOrder order, ulong seed = 0)
    {
        if (samples <= 0) throw new BadInputException($"--samples {samples}: must be at least 1");
        if (batchSize <= 0) throw new BadInputException($"--batch-size {batchSize}: must be at least 1");
        if (datasetCount <= 0) throw new BadInputException("the dataset holds no samples");
        long s = Math.Min(samples, datasetCount);
        if (s > Array.MaxLength) throw new BadInputException($"--samples {samples}: more than {Array.MaxLength} samples in one plan");

        long[]? rows = order == SampleOrder.Shuffle ? ShuffledPrefix(datasetCount, s, seed) : null;
        int count = (int)((s + batchSize - 1) / batchSize);
        var batches = new PlannedBatch[count];
        for (int k = 0; k < count; k++)
        {
            long offset = (long)k * batchSize;
            batches[k] = new PlannedBatch(k, offset, (int)Math.Min(batchSize, s - offset), rows);
        }
        return new BatchPlan(datasetCount, samples, s, batchSize, order, seed, batches);
    }

    /// <summary>Rank <paramref name="rank"/>'s batches out of <paramref name="worldSize"/>: those with k % W = r, in order of k.</summary>
    public IReadOnlyList<PlannedBatch> ForRank(int rank, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {worldSize})");
        var mine = new List<PlannedBatch>(_batches.Length / worldSize + 1);
        for (int k = rank; k < _batches.Length; k += worldSize) mine.Add(_batches[k]);
        return mine;
    }

    /// <summary>The S dataset rows in plan order.</summary>
    public long[] Rows() => _batches.SelectMany(b => b.Rows()).ToArray();

    private static long[] ShuffledPrefix(long n, long s, ulong seed)
    {
        if (n > Array.MaxLength) throw new BadInputException($"a dataset of {n} samples is too large to shuffle in memory");
        var p = new long[n];
        for (long i = 0; i < n; i++) p[i] = i;
        var rng = new SplitMix64(seed);
        for (long i = 0; i < s && i < n - 1; i++)
        {
            long j = i + (long)rng.NextBelow((ulong)(n - i));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return s == n ? p : p.AsSpan(0, (int)s).ToArray();
    }
}
