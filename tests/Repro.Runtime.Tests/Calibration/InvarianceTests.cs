using Repro.Runtime.Calibration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>Everything but BN running statistics is untouched, after success and after failure.</summary>
public class InvarianceTests
{
    private static readonly string[] RunningStats = { "running_mean", "running_var" };
    private static bool IsRunningStat(string key) => RunningStats.Any(s => key.EndsWith("." + s, StringComparison.Ordinal));

    private static (string, bool)[] Flags(nn.Module m) =>
        BatchNormDiscovery.NamedModulesWithRoot(m).Select(x => (x.Name, x.Module.training)).ToArray();

    private static double?[] Momenta(nn.Module m) =>
        m.modules().OfType<BatchNorm>().Select(b => b.momentum).ToArray();

    [Fact]
    public void ParametersAndOtherBuffersAreBitIdenticalAndModesAndMomentaAreRestored()
    {
        using var model = TinyModels.SmallCnn(seed: 5);
        ((BatchNorm)model[4]).momentum = 0.03;
        ((nn.Module)model[6]).eval();                       // the Dropout: mixed flags must come back exactly
        using var data = TinyModels.Images(20, seed: 6);
        var before = TinyModels.StateBytes(model);
        var flags = Flags(model);
        var momenta = Momenta(model);

        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 6));

        var after = TinyModels.StateBytes(model);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var key in before.Keys)
        {
            if (IsRunningStat(key)) Assert.NotEqual(before[key], after[key]);
            else Assert.True(before[key].SequenceEqual(after[key]), $"{key} changed");
        }
        Assert.Equal(flags, Flags(model));
        Assert.Equal(momenta, Momenta(model));
        Assert.Contains(before.Keys, k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
    }

    [Fact]
    public void NoGradientIsRecordedOrComputed()
    {
        using var model = TinyModels.SmallCnn(seed: 5);
        using var data = TinyModels.Images(8, seed: 6);
        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null));
        Assert.All(model.buffers(), b => Assert.False(b.requires_grad));
    }

    [Fact]
    public void AFailingForwardRestoresEverything()
    {
        using var model = TinyModels.SmallCnn(seed: 8);
        ((nn.Module)model[6]).eval();
        using var data = TinyModels.Images(16, seed: 9);
        var before = TinyModels.StateBytes(model);
        var flags = Flags(model);
        var momenta = Momenta(model);

        var e = Assert.Throws<InvalidOperationException>(() => PreciseBn.Recalibrate(model, FailAfter(TinyModels.Batches(data, 4), 2)));

        Assert.Equal("the data source broke", e.Message);
        Assert.Equal(before, TinyModels.StateBytes(model));
        Assert.Equal(flags, Flags(model));
        Assert.Equal(momenta, Momenta(model));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteStatisticsFailNamingTheLayerAndWriteNothing(float poison)
    {
        using var model = TinyModels.SmallCnn(seed: 10);
        using var data = TinyModels.Images(12, seed: 11);
        using (no_grad()) data[5, 1, 2, 3] = tensor(poison);
        var before = TinyModels.StateBytes(model);

        var e = Assert.Throws<PreciseBnException>(() => PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4)));

        Assert.Contains("BatchNorm 'bn1'", e.Message);
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("nothing was written", e.Message);
        Assert.Equal(before, TinyModels.StateBytes(model));
    }

    [Fact]
    public void ABnCalledTwiceInOneForwardIsRefused()
    {
        var bn = nn.BatchNorm1d(3);
        using var model = nn.Sequential(("a", bn), ("relu", nn.ReLU()), ("again", bn));
        using var data = randn(8, 3);
        var before = TinyModels.StateBytes(model);
        var e = Assert.Throws<BadInputException>(() => PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4)));
        Assert.Contains("called more than once in one forward", e.Message);
        Assert.Equal(before, TinyModels.StateBytes(model));
    }

    [Fact]
    public void ABnRunWithForwardInsteadOfCallIsCaught()
    {
        using var model = new BypassesHooks();
        using var data = randn(8, 3);
        var before = TinyModels.StateBytes(model);
        var e = Assert.Throws<PreciseBnException>(() => PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4)));
        Assert.Contains("'bn' ran 2 time(s) but was seen 0 time(s)", e.Message);
        Assert.Equal(before, TinyModels.StateBytes(model));
    }

    [Fact]
    public void ABnTheForwardNeverCallsFailsInsteadOfKeepingStaleStatistics()
    {
        using var model = new SkipsALayer();
        using var data = randn(8, 3);
        var before = TinyModels.StateBytes(model);
        var e = Assert.Throws<PreciseBnException>(() => PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4)));
        Assert.Equal("BatchNorm 'unused' received no input in 2 batch(es): the model's forward never calls it; nothing was written.", e.Message);
        Assert.Equal(before, TinyModels.StateBytes(model));
    }

    [Fact]
    public void NoBatchesAtAllIsBadInput()
    {
        using var model = TinyModels.SmallCnn(seed: 14);
        var e = Assert.Throws<BadInputException>(() => PreciseBn.Recalibrate(model, Array.Empty<Tensor>()));
        Assert.Equal("--data: no batches to recalibrate with.", e.Message);
    }

    [Fact]
    public void TensorsDoNotAccumulateWithTheNumberOfBatches()
    {
        using var model = TinyModels.SmallCnn(seed: 12);
        using var data = TinyModels.Images(64, seed: 13);
        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));          // warm up lazily created state
        long live = LiveTensors();
        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        long afterSixteen = LiveTensors();
        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 2));
        long afterThirtyTwo = LiveTensors();
        Assert.Equal(live, afterSixteen);
        Assert.Equal(live, afterThirtyTwo);
    }

    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    private static IEnumerable<Tensor> FailAfter(IEnumerable<Tensor> batches, int good)
    {
        int i = 0;
        foreach (var b in batches)
        {
            if (i++ == good) throw new InvalidOperationException("the data source broke");
            yield return b;
        }
    }

    private sealed class SkipsALayer : nn.Module<Tensor, Tensor>
    {
        private readonly BatchNorm1d used = nn.BatchNorm1d(3);
        private readonly BatchNorm1d unused = nn.BatchNorm1d(3);
        public SkipsALayer() : base(nameof(SkipsALayer)) => RegisterComponents();
        public override Tensor forward(Tensor input) => used.call(input);
    }

    private sealed class BypassesHooks : nn.Module<Tensor, Tensor>
    {
        private readonly BatchNorm1d bn = nn.BatchNorm1d(3);
        public BypassesHooks() : base(nameof(BypassesHooks)) => RegisterComponents();
        public override Tensor forward(Tensor input) => bn.forward(input);
    }
}
