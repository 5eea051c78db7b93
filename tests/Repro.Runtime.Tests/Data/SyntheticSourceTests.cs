using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Data;

public class SyntheticSourceTests
{
    [Fact]
    public void ValuesAreFixedBySeedOnEveryPlatform()
    {
        // Computed independently (Python, integer SplitMix64 and IEEE double arithmetic) from the
        // recipe in SyntheticSource's summary.
        using var data = DataSource.Load("synthetic:n=4,c=1,h=2,w=3,classes=3,seed=5");
        Assert.Equal(new long[] { 2, 1, 1, 0 }, data.Labels!.data<long>().ToArray());
        Assert.Equal(new float[] { -0.796665608882904f, -1.1401058435440063f, -1.0586116313934326f, 2.2832069396972656f, -1.0121454000473022f, 1.1330815553665161f },
            data.Images[0].data<float>().ToArray());
        Assert.Equal(new float[] { -1.0709446668624878f, -0.2823978066444397f, -1.2446355819702148f, -0.04137631505727768f, 0.5786454677581787f, 0.23874478042125702f },
            data.Images[3].data<float>().ToArray());
    }

    [Fact]
    public void SampleIDoesNotDependOnN()
    {
        using var small = DataSource.Load("synthetic:n=5,c=2,h=3,w=3,classes=4,seed=9");
        using var large = DataSource.Load("synthetic:n=3000,c=2,h=3,w=3,classes=4,seed=9");
        Assert.True(Tensors.Same(small.Images, large.Images.narrow(0, 0, 5)));
        Assert.True(Tensors.Same(small.Labels!, large.Labels!.narrow(0, 0, 5)));
    }

    [Fact]
    public void DifferentSeedsDiffer()
    {
        using var a = DataSource.Load("synthetic:n=8,seed=1");
        using var b = DataSource.Load("synthetic:n=8,seed=2");
        Assert.False(Tensors.Same(a.Images, b.Images));
    }

    [Fact]
    public void DescriptionRecordsDefaultsAndIdentityNormalisation()
    {
        using var data = DataSource.Load("synthetic:n=16");
        DatasetDescription d = data.Description;
        Assert.Equal((16L, 1, 28, 28, 10), (d.Count, d.Channels, d.Height, d.Width, d.Classes));
        Assert.True(d.Normalization.IsIdentity);
        Assert.Equal("synthetic:n=16,c=1,h=28,w=28,classes=10,seed=0", d.Identity);
    }

    [Fact]
    public void PixelsAreRoughlyStandardNormalAndEveryClassAppears()
    {
        using var data = DataSource.Load("synthetic:n=2000,c=1,h=8,w=8,classes=5,seed=3");
        (double[] mean, double[] std) = DatasetStatistics.ChannelMoments(data);
        Assert.InRange(mean[0], -0.3, 0.3);
        Assert.InRange(std[0], 0.8, 1.2);
        Assert.All(DatasetStatistics.LabelHistogram(data), c => Assert.InRange(c, 300, 500));
    }
}
