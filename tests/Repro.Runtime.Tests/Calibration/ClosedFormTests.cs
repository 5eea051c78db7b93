using Repro.Runtime.Calibration;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>Models whose recalibrated statistics are known in closed form.</summary>
public class ClosedFormTests
{
    private static PreciseBnOptions Using(PreciseBnEstimator e) => new() { Estimator = e };

    /// <summary>Per channel: exact mean and unbiased variance of a [N, C, H, W] array, two-pass in double.</summary>
    private static (double[] Mean, double[] Var) ChannelMoments(double[] x, int n, int c, int hw)
    {
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) sum += x[(i * c + ch) * hw + p];
            double m = sum / ((long)n * hw);
            double ss = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) { double d = x[(i * c + ch) * hw + p] - m; ss += d * d; }
            mean[ch] = m;
            variance[ch] = ss / ((long)n * hw - 1);
        }
        return (mean, variance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(13)]
    [InlineData(64)]
    public void PopulationOfASingleBnIsTheDatasetsChannelMeanAndUnbiasedVarianceForAnyBatchSize(int batchSize)
    {
        const int n = 13, c = 3, h = 2, w = 3;
        using var data = (randn(new long[] { n, c, h, w }, ScalarType.Float64, generator: new Generator(7)) * 3 + 10).DetachFromDisposeScope();
        var (mean, variance) = ChannelMoments(TinyModels.Doubles(data), n, c, h * w);

        using var bn = nn.BatchNorm2d(c, dtype: ScalarType.Float64);
        PreciseBnResult result = PreciseBn.Recalibrate(bn, TinyModels.Batches(data, batchSize));

        // A float64 model: the only error left is float64 rounding.
        Assert.Equal(mean, TinyModels.Doubles(bn.running_mean!), new ToleranceComparer(1e-12));
        Assert.Equal(variance, TinyModels.Doubles(bn.running_var!), new ToleranceComparer(1e-12));
        Assert.Equal(n, result.SamplesUsed);
        Assert.Equal((n + batchSize - 1) / batchSize, result.BatchesUsed);
        Assert.Equal((long)n * h * w, result.Layers.Single().ElementsPerChannel);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    public void PopulationOfAFloat32BnIsExactToFloat32Rounding(int batchSize)
    {
        const int n = 13, c = 3, h = 2, w = 3;
        using var data64 = (randn(new long[] { n, c, h, w }, ScalarType.Float64, generator: new Generator(3)) * 0.5 + 40).DetachFromDisposeScope();
        using var data = data64.to(ScalarType.Float32);
        var (mean, variance) = ChannelMoments(TinyModels.Doubles(data), n, c, h * w);

        using var bn = nn.BatchNorm2d(c);
        PreciseBn.Recalibrate(bn, TinyModels.Batches(data, batchSize));

        Assert.Equal(mean, TinyModels.Doubles(bn.running_mean!), new ToleranceComparer(1e-6));
        Assert.Equal(variance, TinyModels.Doubles(bn.running_var!), new ToleranceComparer(1e-4));
    }

    [Fact]
    public void AChannelMeanFarFromZeroCostsNoPrecision()
    {
        // Mean 1e8, std 1: Σx² − N·mean² in float64 would cancel 16 digits down to noise of order 1.
        // Chan's merge adds only non-negative terms, so the variance keeps its float64 precision.
        const int n = 40, c = 2, hw = 9;
        using var data = (randn(new long[] { n, c, 3, 3 }, ScalarType.Float64, generator: new Generator(9)) + 1e8).DetachFromDisposeScope();
        var (mean, variance) = ChannelMoments(TinyModels.Doubles(data), n, c, hw);
        using var bn = nn.BatchNorm2d(c, dtype: ScalarType.Float64);
        PreciseBn.Recalibrate(bn, TinyModels.Batches(data, 3));
        Assert.Equal(mean, TinyModels.Doubles(bn.running_mean!), new ToleranceComparer(1e-15));
        Assert.Equal(variance, TinyModels.Doubles(bn.running_var!), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void ZeroToElevenInBatchesOfTwo()
    {
        // Batches {0,1}, {2,3}, …, {10,11}: every batch mean is k + 0.5, every unbiased batch variance 0.5.
        using var data = arange(12, ScalarType.Float32).view(12, 1);

        using var a = nn.BatchNorm1d(1);
        PreciseBn.Recalibrate(a, TinyModels.Batches(data, 2), Using(PreciseBnEstimator.MeanOfBatchVar));
        Assert.Equal(5.5, a.running_mean!.item<float>());
        Assert.Equal(0.5, a.running_var!.item<float>());

        // The population of 0..11: mean 5.5, Σ(x − 5.5)² = 143, unbiased 143 / 11 = 13.
        using var b = nn.BatchNorm1d(1);
        PreciseBn.Recalibrate(b, TinyModels.Batches(data, 2), Using(PreciseBnEstimator.Population));
        Assert.Equal(5.5, b.running_mean!.item<float>());
        Assert.Equal(13.0, b.running_var!.item<float>(), 5);
    }

    [Fact]
    public void APartialLastBatchWeighsItsSamplesForPopulationAndOneBatchForMeanOfBatchVar()
    {
        // 0..10 in batches of 4: {0..3}, {4..7}, {8,9,10}.
        using var data = arange(11, ScalarType.Float32).view(11, 1);

        using var population = nn.BatchNorm1d(1);
        var p = PreciseBn.Recalibrate(population, TinyModels.Batches(data, 4));
        Assert.Equal(5.0, population.running_mean!.item<float>(), 6);          // mean of 0..10
        Assert.Equal(11.0, population.running_var!.item<float>(), 5);          // Σ(x − 5)² = 110, / 10
        Assert.Equal(11, p.SamplesUsed);
        Assert.Equal(3, p.BatchesUsed);

        using var parity = nn.BatchNorm1d(1);
        PreciseBn.Recalibrate(parity, TinyModels.Batches(data, 4), Using(PreciseBnEstimator.MeanOfBatchVar));
        Assert.Equal((1.5 + 5.5 + 9.0) / 3, parity.running_mean!.item<float>(), 5);                 // 16/3, not 5
        Assert.Equal((5.0 / 3 + 5.0 / 3 + 1.0) / 3, parity.running_var!.item<float>(), 5);          // 13/9
    }

    [Fact]
    public void ALastBatchThatGivesALayerOneValuePerChannelIsLeftOutAndReported()
    {
        // 0..8 in batches of 4: the last batch {8} would give BatchNorm1d a single value.
        using var data = arange(9, ScalarType.Float32).view(9, 1);
        using var bn = nn.BatchNorm1d(1);
        var r = PreciseBn.Recalibrate(bn, TinyModels.Batches(data, 4));

        Assert.Equal(3.5, bn.running_mean!.item<float>(), 6);                  // 0..7 only
        Assert.Equal(42.0 / 7, bn.running_var!.item<float>(), 5);              // Σ(x − 3.5)² = 42
        Assert.Equal(8, r.SamplesUsed);
        Assert.Equal(2, r.BatchesUsed);
        Assert.Equal(1, r.SamplesDropped);
        Assert.Equal(1, r.BatchesDropped);
        Assert.Contains(r.Notes, n => n.Contains("left out 1 batch(es), 1 sample(s)") && n.Contains("single value per channel"));
    }

    [Fact]
    public void OneValuePerChannelInEveryBatchIsABatchSizeError()
    {
        using var data = arange(5, ScalarType.Float32).view(5, 1);
        using var bn = nn.BatchNorm1d(1);
        using var before = bn.running_var!.clone();
        var e = Assert.Throws<BadInputException>(() => PreciseBn.Recalibrate(bn, TinyModels.Batches(data, 1)));
        Assert.StartsWith("--batch-size", e.Message);
        Assert.Equal(TinyModels.Bytes(before), TinyModels.Bytes(bn.running_var!));
    }

    [Fact]
    public void SpatialElementsCountAsValues()
    {
        // BatchNorm2d over 1×2 maps: a batch of one sample still has two values per channel, so nothing is dropped.
        using var data = tensor(new float[] { 1, 3, 5, 9, 2, 2 }).view(3, 1, 1, 2);
        using var bn = nn.BatchNorm2d(1);
        var r = PreciseBn.Recalibrate(bn, TinyModels.Batches(data, 1), Using(PreciseBnEstimator.MeanOfBatchVar));
        Assert.Equal(0, r.BatchesDropped);
        Assert.Equal((2.0 + 7.0 + 2.0) / 3, bn.running_mean!.item<float>(), 5);
        Assert.Equal((2.0 + 8.0 + 0.0) / 3, bn.running_var!.item<float>(), 5);
    }
}

internal sealed class ToleranceComparer(double relative) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= relative * Math.Max(1.0, Math.Max(Math.Abs(x), Math.Abs(y)));
    public int GetHashCode(double obj) => 0;
}
