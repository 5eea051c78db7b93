using Repro.Pipeline.Data;
using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Data;

/// <summary>The real Fashion-MNIST from Debian's dataset-fashion-mnist (installed by .ci/run).</summary>
public class FashionMnistTests
{
    [Fact]
    public void TrainSplitHas60000BalancedSamplesOf1x28x28()
    {
        Assert.True(File.Exists(Path.Combine(DataSourceSpec.FashionMnistDefaultDirectory, "train-images-idx3-ubyte.gz")),
            "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
        using var data = DataSource.Load("fashion-mnist:train");
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(Enumerable.Repeat(6000L, 10), DatasetStatistics.LabelHistogram(data));
        Assert.Equal(new long[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, data.Labels!.narrow(0, 0, 10).data<long>().ToArray());
        // Image 0's first non-zero pixels (flat 96, 99, 100) are bytes 1, 13, 73.
        float[] first = data.Images[0].flatten().data<float>().ToArray();
        Assert.Equal((float)((1 / 255.0 - 0.2860) / 0.3530), first[96]);
        Assert.Equal((float)((73 / 255.0 - 0.2860) / 0.3530), first[100]);
        Assert.Equal((float)((0 - 0.2860) / 0.3530), first[0]);
        // The recorded normalisation is the training set's own statistics, so the stored tensor is ~N(0,1).
        (double[] mean, double[] std) = DatasetStatistics.ChannelMoments(data);
        Assert.InRange(mean[0], -0.001, 0.001);
        Assert.InRange(std[0], 0.999, 1.001);
    }

    [Fact]
    public void TestSplitHas10000BalancedSamples()
    {
        using var data = DataSource.Load("fashion-mnist:test");
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(Enumerable.Repeat(1000L, 10), DatasetStatistics.LabelHistogram(data));
        Assert.Equal(new long[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, data.Labels!.narrow(0, 0, 10).data<long>().ToArray());
        Assert.Equal("fashion-mnist:test", data.Description.Identity);
    }
}
