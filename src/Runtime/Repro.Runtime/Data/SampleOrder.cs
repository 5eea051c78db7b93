namespace Repro.Runtime.Data;

/// <summary>The order in which a <see cref="BatchPlan"/> visits samples (<c>--order</c>).</summary>
public enum SampleOrder
{
    /// <summary>The first S samples in file order.</summary>
    Sequential,
    /// <summary>The first S samples of a seeded SplitMix64 Fisher–Yates shuffle of all N.</summary>
    Shuffle,
}

public static class SampleOrders
{
    /// <summary>Parses <c>sequential</c> or <c>shuffle</c> (the <c>--order</c> option).</summary>
    public static SampleOrder Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "sequential" => SampleOrder.Sequential,
        "shuffle" => SampleOrder.Shuffle,
        _ => throw new BadInputException($"--order {text}: unknown order; use sequential or shuffle"),
    };

    public static string Name(this SampleOrder order) => order == SampleOrder.Shuffle ? "shuffle" : "sequential";
}
