using Repro.Runtime.Calibration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>Which layers Precise BN touches, and that it says which it does not.</summary>
public class LayerSelectionTests
{
    [Fact]
    public void AFrozenBnIsLeftBitIdenticalAndReported()
    {
        using var model = TinyModels.SmallCnn(seed: 1);
        var bn2 = (BatchNorm)model.named_modules().Single(m => m.name == "bn2").module;
        bn2.eval();
        using var data = TinyModels.Images(12, seed: 2);
        var before = TinyModels.StateBytes(model);

        var r = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));

        var after = TinyModels.StateBytes(model);
        foreach (var key in new[] { "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked" })
            Assert.Equal(before[key], after[key]);
        Assert.NotEqual(before["bn1.running_mean"], after["bn1.running_mean"]);
        Assert.Equal(new[] { "bn1", "bn3" }, r.Layers.Select(l => l.Name));
        var skipped = Assert.Single(r.Skipped);
        Assert.Equal(("bn2", "BatchNorm2d", BatchNormDiscovery.FrozenReason), (skipped.Name, skipped.Kind, skipped.Reason));
        Assert.Contains(r.Notes, n => n.Contains("frozen") && n.Contains("'bn2'"));
        Assert.False(bn2.training);
    }

    [Fact]
    public void AFrozenBnNormalisesWithItsStoredStatisticsDuringTheRun()
    {
        // bn1 frozen with stored mean 100: bn2 then sees (x − 100)/σ, so its mean is far below zero.
        using var model = nn.Sequential(("bn1", nn.BatchNorm1d(1)), ("bn2", nn.BatchNorm1d(1)));
        var bn1 = (BatchNorm)model[0];
        using (no_grad()) bn1.running_mean!.fill_(100);
        bn1.eval();
        using var data = arange(8, ScalarType.Float32).view(8, 1);
        PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        var bn2 = (BatchNorm)model[1];
        // bn1 computes (x − 100) / sqrt(1 + 1e-5); the population mean of that over 0..7 is (3.5 − 100)/sqrt(1 + 1e-5).
        Assert.Equal((3.5 - 100) / Math.Sqrt(1 + 1e-5), bn2.running_mean!.item<float>(), 3);
    }

    [Fact]
    public void GroupNormIsReportedAsNotRecalibrated()
    {
        using var model = nn.Sequential(
            ("conv", nn.Conv2d(2, 4, 3)), ("gn", nn.GroupNorm(2, 4)), ("bn", nn.BatchNorm2d(4)),
            ("ln", nn.LayerNorm(new long[] { 4, 4, 4 })), ("in", nn.InstanceNorm2d(4, track_running_stats: true)));
        // TorchSharp 0.107's GroupNorm leaves weight and bias as torch.empty (uninitialised memory).
        using (no_grad())
        {
            var gn = (GroupNorm)model[1];
            gn.weight.fill_(1);
            gn.bias!.zero_();
        }
        using var data = TinyModels.Images(8, seed: 3);
        var before = TinyModels.StateBytes(model);

        var r = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));

        Assert.Equal("bn", Assert.Single(r.Layers).Name);
        Assert.Equal(new[] { ("gn", "GroupNorm"), ("ln", "LayerNorm"), ("in", "InstanceNorm2d") }, r.Skipped.Select(s => (s.Name, s.Kind)));
        Assert.Contains(r.Notes, n => n.Contains("'gn' (GroupNorm)") && n.Contains("not recalibrated"));
        Assert.Contains(r.Notes, n => n.Contains("'in' (InstanceNorm2d)"));
        var after = TinyModels.StateBytes(model);
        Assert.Equal(before["in.running_mean"], after["in.running_mean"]);
        Assert.Equal(before["in.running_var"], after["in.running_var"]);
    }

    [Fact]
    public void AModelWithoutBnIsReportedAndItsBatchesAreNotEvenRead()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(2, 4, 3)), ("gn", nn.GroupNorm(2, 4)));
        var before = TinyModels.StateBytes(model);

        var r = PreciseBn.Recalibrate(model, NeverRead());

        Assert.True(r.NothingToDo);
        Assert.Contains(r.Notes, n => n.Contains("has no BatchNorm layer"));
        Assert.Equal(0, r.SamplesUsed);
        Assert.Equal(before, TinyModels.StateBytes(model));
    }

    [Fact]
    public void AModelWhoseBnAreAllFrozenIsReportedAsSuch()
    {
        using var model = nn.Sequential(("bn", nn.BatchNorm1d(3)));
        model.eval();
        var r = PreciseBn.Recalibrate(model, NeverRead());
        Assert.True(r.NothingToDo);
        Assert.Contains(r.Notes, n => n.Contains("no BatchNorm layer is in training mode"));
    }

    [Fact]
    public void ABnWithoutRunningStatisticsIsReported()
    {
        using var model = nn.Sequential(("a", nn.BatchNorm1d(3, track_running_stats: false)), ("b", nn.BatchNorm1d(3)));
        using var data = randn(8, 3);
        var r = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        Assert.Equal("b", Assert.Single(r.Layers).Name);
        Assert.Equal(BatchNormDiscovery.NotTrackingReason, Assert.Single(r.Skipped).Reason);
    }

    private static IEnumerable<Tensor> NeverRead()
    {
        throw new Xunit.Sdk.XunitException("the batches of a model without BN in training mode must not be read");
#pragma warning disable CS0162 // makes this an iterator, so the throw happens on first MoveNext
        yield break;
#pragma warning restore CS0162
    }
}
