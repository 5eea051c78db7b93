using Repro.Runtime.Calibration;
using Repro.Runtime.Collectives;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>N ranks over disjoint whole-batch shards give what one rank gives over their union.</summary>
public class RankEqualityTests
{
    // 37 samples in batches of 4: ten batches, the last of one sample, which BatchNorm1d ('bn3') cannot
    // use. With 3 ranks they hold 4, 3 and 3 batches: unequal shares, which 1/world_size averaging gets wrong.
    private const int Samples = 37, BatchSize = 4;

    [Theory]
    [InlineData(PreciseBnEstimator.Population, 2)]
    [InlineData(PreciseBnEstimator.Population, 3)]
    [InlineData(PreciseBnEstimator.Population, 4)]
    [InlineData(PreciseBnEstimator.MeanOfBatchVar, 3)]
    [InlineData(PreciseBnEstimator.MeanOfBatchVar, 4)]
    public void NFakeRanksEqualOneRank(PreciseBnEstimator estimator, int ranks)
    {
        using var data = TinyModels.Images(Samples, seed: 21);

        using var single = TinyModels.SmallCnn(seed: 20);
        PreciseBnResult one = PreciseBn.Recalibrate(single, TinyModels.Batches(data, BatchSize), new PreciseBnOptions { Estimator = estimator });
        var expected = single.state_dict().ToDictionary(kv => kv.Key, kv => TinyModels.Doubles(kv.Value));

        // Built here, not on the rank threads: torch.manual_seed is process-wide.
        var models = Enumerable.Range(0, ranks).Select(_ => TinyModels.SmallCnn(seed: 20)).ToArray();
        var perRank = InProcessRanks.Run(ranks, collective =>
        {
            using var model = models[collective.Rank];
            var result = PreciseBn.Recalibrate(model, TinyModels.Batches(data, BatchSize, collective.Rank, ranks),
                new PreciseBnOptions { Estimator = estimator, Collective = collective });
            return (Result: result, State: model.state_dict().ToDictionary(kv => kv.Key, kv => TinyModels.Doubles(kv.Value)));
        });

        foreach (var (result, state) in perRank)
        {
            Assert.Equal(ranks, result.Ranks);
            Assert.Equal((one.SamplesUsed, one.BatchesUsed, one.SamplesDropped, one.BatchesDropped),
                         (result.SamplesUsed, result.BatchesUsed, result.SamplesDropped, result.BatchesDropped));
            Assert.Equal(one.Layers.Select(l => (l.ElementsPerChannel, l.Batches)), result.Layers.Select(l => (l.ElementsPerChannel, l.Batches)));
            Assert.Equal(expected.Keys, state.Keys);
            // Each batch gives bit-identical per-batch moments on any rank; only the order of float64
            // additions differs, and float32 buffers round that away.
            foreach (var (key, values) in expected)
                Assert.Equal(values, state[key], new ToleranceComparer(1e-6));
        }
        // And every rank holds the same statistics, to the bit.
        foreach (var (_, state) in perRank.Skip(1))
            foreach (var key in state.Keys)
                Assert.Equal(perRank[0].State[key], state[key]);
        Assert.Equal(36, one.SamplesUsed);
        Assert.Equal(1, one.SamplesDropped);
    }

    [Fact]
    public void PooledMomentsOfNRanksMatchOneRankToFloat64Rounding()
    {
        // The reduction alone, in float64 end to end: a float64 single-BN model, so nothing is rounded to float32.
        using var data = (randn(new long[] { 29, 3, 2, 2 }, ScalarType.Float64, generator: new Generator(4)) * 5 + 1e3).DetachFromDisposeScope();
        using var single = nn.BatchNorm2d(3, dtype: ScalarType.Float64);
        PreciseBn.Recalibrate(single, TinyModels.Batches(data, 3));
        var expectedMean = TinyModels.Doubles(single.running_mean!);
        var expectedVar = TinyModels.Doubles(single.running_var!);

        var perRank = InProcessRanks.Run(5, collective =>
        {
            using var bn = nn.BatchNorm2d(3, dtype: ScalarType.Float64);
            PreciseBn.Recalibrate(bn, TinyModels.Batches(data, 3, collective.Rank, 5), new PreciseBnOptions { Collective = collective });
            return (Mean: TinyModels.Doubles(bn.running_mean!), Var: TinyModels.Doubles(bn.running_var!));
        });

        foreach (var (mean, variance) in perRank)
        {
            Assert.Equal(expectedMean, mean, new ToleranceComparer(1e-14));
            Assert.Equal(expectedVar, variance, new ToleranceComparer(1e-11));
        }
    }

    [Fact]
    public void ARankThatFailsMakesEveryRankFailAndWriteNothing()
    {
        using var data = TinyModels.Images(24, seed: 22);
        var models = Enumerable.Range(0, 3).Select(_ => TinyModels.SmallCnn(seed: 23)).ToArray();
        var perRank = InProcessRanks.Run(3, collective =>
        {
            using var model = models[collective.Rank];
            var before = TinyModels.StateBytes(model);
            IEnumerable<Tensor> batches = TinyModels.Batches(data, 4, collective.Rank, 3);
            if (collective.Rank == 1) batches = batches.Select<Tensor, Tensor>(_ => throw new IOException("disk gone on rank 1"));
            var error = Record.Exception(() => PreciseBn.Recalibrate(model, batches, new PreciseBnOptions { Collective = collective }));
            return (Error: error, Unchanged: before.All(kv => kv.Value.SequenceEqual(TinyModels.StateBytes(model)[kv.Key])));
        });
        Assert.IsType<IOException>(perRank[1].Error);
        Assert.Equal(1, Assert.IsType<OtherRankFailedException>(perRank[0].Error).FailedRank);
        Assert.Equal(1, Assert.IsType<OtherRankFailedException>(perRank[2].Error).FailedRank);
        Assert.All(perRank, r => Assert.True(r.Unchanged));
    }
}
