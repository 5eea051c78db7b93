namespace Repro.Runtime.Data;

/// <summary>
/// Steele, Lea and Flood's SplitMix64 (2014): a 64-bit state advanced by the golden-ratio
/// increment and passed through a fixed mixing function. Integer arithmetic only, so every
/// platform draws the same numbers from the same seed — which torch's generators do not promise
/// across versions or devices. Shuffles and synthetic data use it for that reason.
/// </summary>
public sealed class SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for sub-stream <paramref name="stream"/> of <paramref name="seed"/>: independent
    /// streams (one per synthetic sample, say) that can be drawn in any order.</summary>
    public static SplitMix64 ForStream(ulong seed, ulong stream) => new(Mix(seed ^ Mix(stream + Golden)));

    public ulong Next()
    {
        _state = unchecked(_state + Golden);
        return Mix(_state);
    }

    /// <summary>Uniform in [0, bound), without modulo bias: rejects the lowest 2^64 mod bound outputs.</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        ulong threshold = unchecked(0UL - bound) % bound;
        while (true)
        {
            ulong r = Next();
            if (r >= threshold) return r % bound;
        }
    }

    /// <summary>Uniform in [0, 1) with 53 random bits: exactly representable, so platform-independent.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Approximately standard normal: the Irwin–Hall sum of four uniforms, centred and scaled to unit
    /// variance. Additions and multiplications only (no log/sin from the platform's libm), so the
    /// value is bit-identical everywhere.
    /// </summary>
    public double NextStandardish()
    {
        double s = NextDouble() + NextDouble() + NextDouble() + NextDouble();
        return (s - 2.0) * Sqrt3;
    }

    private const double Sqrt3 = 1.7320508075688772;

    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
