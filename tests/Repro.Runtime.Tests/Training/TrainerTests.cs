using Repro.Runtime.Training;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class TrainerTests
{
    private static readonly LabeledImages Train = TinyNet.Data.Make(240, seed: 1);
    private static readonly LabeledImages Test = TinyNet.Data.Make(120, seed: 2);

    private static TrainConfig Config(long seed = 3) => new()
    {
        Epochs = 3, BatchSize = 32, Lr = 0.2, Momentum = 0.9, Nesterov = true, WeightDecay = 5e-4,
        WarmupEpochs = 0.5, LabelSmoothing = 0.1, Augment = new AugmentConfig(1, true), Seed = seed,
        Ema = new EmaConfig(0.9, 2, 10, EmaBufferMode.Copy),
    };

    private static TrainingState TrainAll(TrainConfig config, int? stopAfter = null, TinyNet? model = null)
    {
        model ??= TinyNet.Seeded(config.Seed);
        using var trainer = new Trainer(model, config, Train, Test, CPU);
        trainer.Run(stopAfterEpoch: stopAfter);
        return trainer.Capture();
    }

    [Fact]
    public void LearnsTheSyntheticTaskAndReportsEveryEpoch()
    {
        using TrainingState s = TrainAll(Config());
        Assert.Equal(3, s.Metrics.Count);
        Assert.Equal(new[] { 1, 2, 3 }, s.Metrics.Select(m => m.Epoch));
        EpochMetrics last = s.Metrics[^1];
        Assert.True(last.TestAccuracy > 0.9, $"test accuracy {last.TestAccuracy}");
        Assert.True(last.TrainLoss < s.Metrics[0].TrainLoss, "train loss did not fall");
        Assert.Equal(7 * 32, last.TrainSamples); // 240 / 32 = 7 full batches; the partial one is dropped
        Assert.Equal(120, last.TestSamples);
        Assert.Equal(21, s.Step);
        Assert.Equal(10, s.EmaUpdates); // every 2nd of 21 steps
    }

    [Fact]
    public void TheSameConfigAndSeedGiveTheSameBits()
    {
        using TrainingState a = TrainAll(Config());
        using TrainingState b = TrainAll(Config());
        StateAssert.BitEqual(a.Model, b.Model, "model");
        StateAssert.BitEqual(a.Ema, b.Ema, "ema");
        StateAssert.BitEqual(a.Momentum, b.Momentum, "momentum");
        Assert.Equal(a.OrderRng, b.OrderRng);
        Assert.Equal(a.AugmentRng, b.AugmentRng);
    }

    [Fact]
    public void AnotherSeedGivesOtherWeights()
    {
        using TrainingState a = TrainAll(Config(seed: 3));
        using TrainingState b = TrainAll(Config(seed: 4));
        Assert.False(TensorAssert.BitEquals(a.Model["fc.weight"], b.Model["fc.weight"]));
    }

    [Fact]
    public void StoppingAfterAnEpochAndResumingEqualsAnUninterruptedRun()
    {
        using TrainingState whole = TrainAll(Config());
        using TrainingState first = TrainAll(Config(), stopAfter: 1);
        Assert.Equal(1, first.CompletedEpochs);

        // A fresh process would build the model from another init; the restored state must win over it.
        var model = TinyNet.Seeded(999);
        using var resumed = new Trainer(model, Config(), Train, Test, CPU);
        resumed.Restore(first);
        resumed.Run();
        using TrainingState end = resumed.Capture();

        StateAssert.BitEqual(whole.Model, end.Model, "model");
        StateAssert.BitEqual(whole.Ema, end.Ema, "ema");
        StateAssert.BitEqual(whole.Momentum, end.Momentum, "momentum");
        Assert.Equal(whole.EmaUpdates, end.EmaUpdates);
        Assert.Equal(whole.Metrics.Select(m => m.TestAccuracy), end.Metrics.Select(m => m.TestAccuracy));
        Assert.Equal(whole.Metrics.Select(m => m.TrainLoss), end.Metrics.Select(m => m.TrainLoss));
    }

    [Fact]
    public void TheEmaLagsTheWeightsAndKeepsTheModelsBuffers()
    {
        using TrainingState s = TrainAll(Config());
        Assert.False(TensorAssert.BitEquals(s.Model["conv.weight"], s.Ema["conv.weight"]));
        // Copy mode: the last update (step 20) copied the buffers; step 21 changed the model's again.
        Assert.Equal(20L, s.Ema["bn.num_batches_tracked"].item<long>());
        Assert.Equal(21L, s.Model["bn.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void RestoringAStateOfAnotherShapeIsRefused()
    {
        using TrainingState s = TrainAll(Config(), stopAfter: 1);
        using var wider = new Trainer(TinyNet.Seeded(1, classes: 4), Config(), Train, Test, CPU);
        Assert.Throws<InvalidDataException>(() => wider.Restore(s));
    }

    [Fact]
    public void ABatchLargerThanTheDataIsBadInput()
    {
        var e = Assert.Throws<BadInputException>(() => new Trainer(TinyNet.Seeded(1), Config() with { BatchSize = 1000 }, Train, null, CPU));
        Assert.Contains("fewer than train.batchSize 1000", e.Message);
    }
}
