namespace Repro.Runtime.Data;

/// <summary>
/// Batch <see cref="Index"/> of a <see cref="BatchPlan"/>: <see cref="Count"/> samples starting at
/// position <see cref="Offset"/> of the plan's order. Sequential plans make contiguous batches
/// (dataset rows Offset … Offset+Count−1, taken as a view); shuffled ones list their rows.
/// <see cref="ImageDataset.Take"/> turns it into tensors.
/// </summary>
public sealed class PlannedBatch
{
    private readonly long[]? _order;

    internal PlannedBatch(int index, long offset, int count, long[]? order)
    {
        Index = index;
        Offset = offset;
        Count = count;
        _order = order;
    }

    /// <summary>k: the batch's position in the plan, the same whatever the number of ranks.</summary>
    public int Index { get; }
    /// <summary>Position of the batch's first sample in the plan's order.</summary>
    public long Offset { get; }
    public int Count { get; }
    /// <summary>True when the batch is dataset rows Offset … Offset+Count−1.</summary>
    public bool IsContiguous => _order == null;

    /// <summary>The dataset rows of this batch, in order.</summary>
    public long[] Rows() => _order == null
        ? Enumerable.Range(0, Count).Select(i => Offset + i).ToArray()
        : _order.AsSpan((int)Offset, Count).ToArray();

    /// <summary>The rows of a shuffled batch, as a view into the plan's order.</summary>
    internal ReadOnlySpan<long> ShuffledRows => _order.AsSpan((int)Offset, Count);

    public override string ToString() => IsContiguous
        ? $"batch {Index}: rows {Offset}..{Offset + Count - 1}"
        : $"batch {Index}: {Count} shuffled rows from plan position {Offset}";
}
