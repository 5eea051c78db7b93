using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Data;

public class BatchPlanTests
{
    [Fact]
    public void SequentialTakesTheFirstSSamplesWithASmallerLastBatch()
    {
        var plan = BatchPlan.Create(datasetCount: 100, samples: 10, batchSize: 4, SampleOrder.Sequential);
        Assert.Equal(new[] { 4, 4, 2 }, plan.Batches.Select(b => b.Count));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, plan.Batches[0].Rows());
        Assert.Equal(new long[] { 8, 9 }, plan.Batches[2].Rows());
        Assert.All(plan.Batches, b => Assert.True(b.IsContiguous));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), plan.Rows());
    }

    [Fact]
    public void ExactMultipleHasNoPartialBatch()
    {
        var plan = BatchPlan.Create(100, 12, 4, SampleOrder.Sequential);
        Assert.Equal(new[] { 4, 4, 4 }, plan.Batches.Select(b => b.Count));
    }

    [Fact]
    public void ShuffleIsAFixedPermutationForAFixedSeed()
    {
        // Independently computed (Python) from the recipe in BatchPlan's summary.
        var plan = BatchPlan.Create(60000, 10, 3, SampleOrder.Shuffle, seed: 42);
        Assert.Equal(new long[] { 35413, 24200, 11578, 37518, 24086, 54742, 19087, 18547, 53837, 56486 }, plan.Rows());
        Assert.Equal(new long[] { 35413, 24200, 11578 }, plan.Batches[0].Rows());
        Assert.False(plan.Batches[0].IsContiguous);

        var whole = BatchPlan.Create(10, 10, 10, SampleOrder.Shuffle, seed: 1);
        Assert.Equal(new long[] { 5, 8, 1, 3, 7, 2, 4, 6, 0, 9 }, whole.Rows());
    }

    [Fact]
    public void ShuffleOfMoreSamplesExtendsShuffleOfFewer()
    {
        long[] few = BatchPlan.Create(1000, 50, 7, SampleOrder.Shuffle, seed: 5).Rows();
        long[] many = BatchPlan.Create(1000, 1000, 7, SampleOrder.Shuffle, seed: 5).Rows();
        Assert.Equal(few, many[..50]);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), many.Order());
    }

    [Fact]
    public void DifferentSeedsGiveDifferentOrders()
    {
        Assert.NotEqual(BatchPlan.Create(1000, 20, 5, SampleOrder.Shuffle, 1).Rows(), BatchPlan.Create(1000, 20, 5, SampleOrder.Shuffle, 2).Rows());
    }

    [Theory]
    [InlineData(SampleOrder.Sequential)]
    [InlineData(SampleOrder.Shuffle)]
    public void RankShardsAreDisjointCoverAllBatchesAndBatchKIsTheSameForAnyWorldSize(SampleOrder order)
    {
        var plan = BatchPlan.Create(500, 103, 10, order, seed: 7);   // 11 batches, the last of 3
        Dictionary<int, long[]> single = plan.ForRank(0, 1).ToDictionary(b => b.Index, b => b.Rows());
        Assert.Equal(11, single.Count);
        foreach (int world in new[] { 1, 2, 3 })
        {
            var shards = Enumerable.Range(0, world).Select(r => plan.ForRank(r, world)).ToArray();
            var indices = shards.SelectMany(s => s.Select(b => b.Index)).ToArray();
            Assert.Equal(indices.Length, indices.Distinct().Count());                 // disjoint
            Assert.Equal(Enumerable.Range(0, 11), indices.Order());                    // covering
            for (int r = 0; r < world; r++)
                Assert.All(shards[r], b =>
                {
                    Assert.Equal(r, b.Index % world);
                    Assert.Equal(single[b.Index], b.Rows());                           // batch k identical
                });
            // Batch k is the same object of the plan whatever the world size, so re-planning on each
            // rank (same arguments) gives the same rows too.
            var replanned = BatchPlan.Create(500, 103, 10, order, seed: 7).ForRank(world - 1, world);
            Assert.Equal(shards[world - 1].Select(b => b.Rows()), replanned.Select(b => b.Rows()));
        }
    }

    [Fact]
    public void SamplesBeyondTheDatasetAreClampedAndReported()
    {
        var plan = BatchPlan.Create(30, 100, 8, SampleOrder.Sequential);
        Assert.True(plan.IsClamped);
        Assert.Equal(30, plan.Samples);
        Assert.Equal(100, plan.RequestedSamples);
        Assert.Equal(new[] { 8, 8, 8, 6 }, plan.Batches.Select(b => b.Count));
    }

    [Theory]
    [InlineData(0, 4, "--samples 0: must be at least 1")]
    [InlineData(-5, 4, "--samples -5: must be at least 1")]
    [InlineData(10, 0, "--batch-size 0: must be at least 1")]
    [InlineData(10, -1, "--batch-size -1: must be at least 1")]
    public void NonPositiveSamplesOrBatchSizeIsBadInputNamingTheOption(long samples, int batchSize, string message)
    {
        var e = Assert.Throws<BadInputException>(() => BatchPlan.Create(100, samples, batchSize, SampleOrder.Sequential));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OrderParsesTheTwoNamesAndRejectsOthers()
    {
        Assert.Equal(SampleOrder.Shuffle, SampleOrders.Parse("shuffle"));
        Assert.Equal(SampleOrder.Sequential, SampleOrders.Parse("Sequential"));
        var e = Assert.Throws<BadInputException>(() => SampleOrders.Parse("random"));
        Assert.Equal("--order random: unknown order; use sequential or shuffle", e.Message);
    }
}
