using Repro.Runtime.Calibration;
using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Calibration;

public class UsageErrorTests
{
    [Theory]
    [InlineData(0, 100, 8, "--samples 0: must be at least 1")]
    [InlineData(-5, 100, 8, "--samples -5: must be at least 1")]
    [InlineData(10, 100, 0, "--batch-size 0: must be at least 1")]
    [InlineData(10, 100, -1, "--batch-size -1: must be at least 1")]
    public void SizesOutOfRangeAreBadInput(long samples, long available, int batchSize, string message)
    {
        var e = Assert.Throws<BadInputException>(() => BatchPlan.Create(available, samples, batchSize, SampleOrder.Sequential));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MoreSamplesThanAvailableUsesAllAndSaysSo()
    {
        var plan = BatchPlan.Create(500, SampleNotes.DefaultSamples, 64, SampleOrder.Shuffle, 3);
        Assert.Equal(500, plan.Samples);
        Assert.Equal(8, plan.Batches.Count);
        Assert.Equal(new[]
        {
            "--samples 8192: the data has only 500 samples; using all 500",
            "8 batches: 7 of 64 and a last one of 52",
        }, SampleNotes.For(plan));
    }

    [Fact]
    public void FewerSamplesThanABatchIsOnePartialBatch()
    {
        var plan = BatchPlan.Create(1000, 10, 256, SampleOrder.Sequential);
        Assert.Equal(10, Assert.Single(plan.Batches).Count);
        Assert.Equal(new[] { "10 samples < --batch-size 256: one partial batch of 10" }, SampleNotes.For(plan));
    }

    [Fact]
    public void AnExactMultipleNeedsNoNote()
    {
        var plan = BatchPlan.Create(60000, 8192, 256, SampleOrder.Sequential);
        Assert.Equal(32, plan.Batches.Count);
        Assert.Empty(SampleNotes.For(plan));
    }

    [Fact]
    public void TheDefaultSampleCountIs8192AsInMmcls()
    {
        Assert.Equal(8192, SampleNotes.DefaultSamples);
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
