using System.Globalization;

namespace Repro.Pipeline.Data;

/// <summary>
/// The parameters of a synthetic source. <see cref="Canonical"/> lists every parameter in a fixed
/// order with defaults filled in, so two specs that mean the same data have the same string.
/// </summary>
public sealed record SyntheticParameters(long Count, int Channels, int Height, int Width, int Classes, ulong Seed)
{
    public const int DefaultChannels = 1, DefaultHeight = 28, DefaultWidth = 28, DefaultClasses = 10;
    public const ulong DefaultSeed = 0;

    /// <summary><c>n=…,c=…,h=…,w=…,classes=…,seed=…</c>, invariant culture.</summary>
    public string Canonical => string.Create(CultureInfo.InvariantCulture,
        $"n={Count},c={Channels},h={Height},w={Width},classes={Classes},seed={Seed}");

    public override string ToString() => Canonical;
}
