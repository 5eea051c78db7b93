using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Data;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequenceForSeed1234567()
    {
        // The published test vector of Vigna's splitmix64.c.
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => rng.Next()).ToArray());
    }

    [Fact]
    public void NextBelowStaysInRangeAndHitsEveryValue()
    {
        var rng = new SplitMix64(3);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++) seen[rng.NextBelow(7)]++;
        Assert.All(seen, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void StandardishHasUnitVariance()
    {
        var rng = new SplitMix64(11);
        double[] x = Enumerable.Range(0, 200_000).Select(_ => rng.NextStandardish()).ToArray();
        double mean = x.Average();
        double var = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(var, 0.98, 1.02);
        Assert.All(x, v => Assert.InRange(v, -2 * 1.7320508075688772, 2 * 1.7320508075688772));
    }
}
