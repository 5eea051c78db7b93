using System.Globalization;

namespace Repro.Runtime.Training;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna 2018), seeded through SplitMix64. It is ours rather than
/// <see cref="Random"/> or torch's generator because its output is fixed by this file alone, for every
/// .NET and libtorch version, and its whole state is four integers that an epoch checkpoint can hold.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator for one purpose (<paramref name="stream"/>) of a run seeded with <paramref name="seed"/>; distinct streams are independent.</summary>
    public SeededRandom(long seed, ulong stream = 0)
    {
        // SplitMix64 turns (seed, stream) into a well-mixed, never-all-zero state, as Vigna recommends.
        ulong x = unchecked((ulong)seed) ^ (stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private SeededRandom(ulong[] state)
    {
        if (state.Length != 4 || state.All(s => s == 0))
            throw new ArgumentException("xoshiro256** state is four words, not all zero.", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>The whole state, to put in a checkpoint.</summary>
    public ulong[] State => new[] { _s0, _s1, _s2, _s3 };

    public static SeededRandom FromState(ulong[] state) => new(state);

    /// <summary>The state as 64 hex digits (checkpoint metadata is text).</summary>
    public string StateHex => string.Concat(State.Select(s => s.ToString("x16", CultureInfo.InvariantCulture)));

    public static SeededRandom FromStateHex(string hex)
    {
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            throw new FormatException($"an RNG state is 64 hex digits (got \"{hex}\")");
        return new SeededRandom(Enumerable.Range(0, 4)
            .Select(i => ulong.Parse(hex.AsSpan(i * 16, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray());
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias (Lemire 2019, multiply-and-reject).</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        ulong threshold = unchecked(0UL - bound) % bound; // 2^64 mod bound
        while (true)
        {
            ulong hi = Math.BigMul(NextUInt64(), bound, out ulong lo);
            if (lo >= threshold) return hi;
        }
    }

    public int NextInt(int bound) => (int)NextBelow((ulong)bound);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniformly random permutation of 0..n−1 (Fisher–Yates, drawing from the top down).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
