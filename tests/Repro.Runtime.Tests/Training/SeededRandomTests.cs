using Repro.Runtime.Training;

namespace Repro.Runtime.Tests.Training;

public class SeededRandomTests
{
    [Fact]
    public void XoshiroFromStateOneTwoThreeFourMatchesTheReferenceByHand()
    {
        // s = (1,2,3,4): out1 = rotl(2·5, 7)·9 = 1280·9; the update makes s1 = 0, so out2 = 0;
        // then s1 = 262149 (= (3^1)^2^18 ^ 7), out3 = rotl(262149·5, 7)·9 = 1509978240.
        var rng = SeededRandom.FromState(new ulong[] { 1, 2, 3, 4 });
        Assert.Equal(11520UL, rng.NextUInt64());
        Assert.Equal(0UL, rng.NextUInt64());
        Assert.Equal(1509978240UL, rng.NextUInt64());
    }

    [Fact]
    public void SeedingUsesSplitMix64()
    {
        // SplitMix64's first outputs from state 0 (Vigna's reference splitmix64.c).
        ulong[] s = new SeededRandom(0).State;
        Assert.Equal(0xE220A8397B1DCDAFUL, s[0]);
        Assert.Equal(0x6E789E6AA1B965F4UL, s[1]);
    }

    [Fact]
    public void StateHexRoundTripContinuesTheSameSequence()
    {
        var a = new SeededRandom(42, 7);
        for (int i = 0; i < 5; i++) a.NextUInt64();
        var b = SeededRandom.FromStateHex(a.StateHex);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void StreamsAndSeedsAreDistinct()
    {
        Assert.NotEqual(new SeededRandom(1, 1).NextUInt64(), new SeededRandom(1, 2).NextUInt64());
        Assert.NotEqual(new SeededRandom(1, 1).NextUInt64(), new SeededRandom(2, 1).NextUInt64());
        Assert.Equal(new SeededRandom(5, 3).NextUInt64(), new SeededRandom(5, 3).NextUInt64());
    }

    [Fact]
    public void PermutationHoldsEveryIndexOnceAndDependsOnTheSeed()
    {
        int[] p = new SeededRandom(3).Permutation(1000);
        Assert.Equal(Enumerable.Range(0, 1000), p.OrderBy(i => i));
        Assert.Equal(p, new SeededRandom(3).Permutation(1000));
        Assert.NotEqual(p, new SeededRandom(4).Permutation(1000));
        Assert.NotEqual(Enumerable.Range(0, 1000), p);
    }

    [Fact]
    public void NextBelowIsUniformEnough()
    {
        // 60 000 draws over 6 values: each count is Binomial(60000, 1/6), sd ≈ 91; 5 sd is 456.
        var rng = new SeededRandom(11);
        var counts = new int[6];
        for (int i = 0; i < 60000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 10000 - 456, 10000 + 456));
        double mean = Enumerable.Range(0, 10000).Select(_ => rng.NextDouble()).Average();
        Assert.InRange(mean, 0.5 - 0.015, 0.5 + 0.015); // sd of the mean is 0.0029
    }

    [Fact]
    public void MalformedStateIsRejected()
    {
        Assert.Throws<FormatException>(() => SeededRandom.FromStateHex("abc"));
        Assert.Throws<ArgumentException>(() => SeededRandom.FromState(new ulong[4]));
    }
}
