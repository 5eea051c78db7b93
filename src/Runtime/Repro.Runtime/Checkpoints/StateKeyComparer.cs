namespace Repro.Runtime.Checkpoints;

/// <summary>
/// Orders state-dict keys as the modules are laid out: dot-separated segments compared one by one,
/// numeric segments as numbers, so <c>layer3.2</c> comes before <c>layer3.10</c>.
/// </summary>
public sealed class StateKeyComparer : IComparer<string>
{
    public static readonly StateKeyComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = x.Split('.');
        var b = y.Split('.');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            bool an = long.TryParse(a[i], out long na);
            bool bn = long.TryParse(b[i], out long nb);
            int c = an && bn ? na.CompareTo(nb) : string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
