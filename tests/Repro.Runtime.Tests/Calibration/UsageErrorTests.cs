using Repro.Runtime.Calibration;

namespace Repro.Runtime.Tests.Calibration;

public class UsageErrorTests
{
    [Theory]
    [InlineData(0, 100, 8, "--samples 0: must be at least 1.")]
    [InlineData(-5, 100, 8, "--samples -5: must be at least 1.")]
    [InlineData(10, 100, 0, "--batch-size 0: must be at least 1.")]
    [InlineData(10, 100, -1, "--batch-size -1: must be at least 1.")]
    [InlineData(10, 0, 8, "--data: the data source has no samples.")]
    public void SizesOutOfRangeAreBadInput(long samples, long available, int batchSize, string message)
    {
        var e = Assert.Throws<BadInputException>(() => SampleBudget.Plan(samples, available, batchSize));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MoreSamplesThanAvailableUsesAllAndSaysSo()
    {
        var b = SampleBudget.Plan(SampleBudget.DefaultSamples, 500, 64);
        Assert.Equal(500, b.Samples);
        Assert.Equal(8, b.Batches);
        Assert.Equal(52, b.LastBatchSize);
        Assert.Contains("--samples 8192: the data has only 500 samples; using all 500", b.Notes);
        Assert.Contains("8 batches: 7 of 64 and a last one of 52", b.Notes);
    }

    [Fact]
    public void FewerSamplesThanABatchIsOnePartialBatch()
    {
        var b = SampleBudget.Plan(10, 1000, 256);
        Assert.Equal((10L, 1L, 10L), (b.Samples, b.Batches, b.LastBatchSize));
        Assert.Contains("10 samples < --batch-size 256: one partial batch of 10", b.Notes);
    }

    [Fact]
    public void AnExactMultipleHasNoNotes()
    {
        var b = SampleBudget.Plan(8192, 60000, 256);
        Assert.Equal((8192L, 32L, 256L), (b.Samples, b.Batches, b.LastBatchSize));
        Assert.Empty(b.Notes);
    }

    [Fact]
    public void TheDefaultSampleCountIs8192AsInMmcls()
    {
        Assert.Equal(8192, SampleBudget.DefaultSamples);
    }

    [Theory]
    [InlineData("population", PreciseBnEstimator.Population)]
    [InlineData("mean-of-batch-var", PreciseBnEstimator.MeanOfBatchVar)]
    [InlineData(" Population ", PreciseBnEstimator.Population)]
    public void EstimatorNamesParse(string name, PreciseBnEstimator expected)
    {
        Assert.Equal(expected, PreciseBnEstimators.Parse(name));
        Assert.Equal(expected, PreciseBnEstimators.Parse(expected.Name()));
    }

    [Fact]
    public void AnUnknownEstimatorIsBadInput()
    {
        var e = Assert.Throws<BadInputException>(() => PreciseBnEstimators.Parse("ema"));
        Assert.Equal("--estimator ema: unknown estimator; use population or mean-of-batch-var.", e.Message);
    }
}
