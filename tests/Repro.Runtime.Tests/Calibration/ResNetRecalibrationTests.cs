using Repro.Runtime.Calibration;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>Precise BN on Repro's own ResNet.</summary>
public class ResNetRecalibrationTests
{
    [Fact]
    public void EveryBnOfAResNetIsRecalibratedAndTheStemBnGetsTheConvOutputsExactStatistics()
    {
        using var model = new ResNet(new ResNetConfig([1, 1, 1, 1], 4, ResNetStem.Small, 1, 10), seed: 40);
        model.train();
        using var data = (randn(new long[] { 11, 1, 12, 12 }, generator: new Generator(41)) + 0.5f).DetachFromDisposeScope();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => TinyModels.Bytes(p.parameter));

        var r = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));

        Assert.Equal(model.BatchNorms().Select(b => b.Name), r.Layers.Select(l => l.Name));
        Assert.Equal(11, r.SamplesUsed);
        Assert.All(model.named_parameters(), p => Assert.Equal(parameters[p.name], TinyModels.Bytes(p.parameter)));

        // The stem BN's input is conv1(x) whatever the statistics: its population statistics in closed form.
        var conv1 = model.named_parameters().Single(p => p.name == "conv1.weight").parameter;
        using var features = nn.functional.conv2d(data.to(ScalarType.Float64), conv1.to(ScalarType.Float64), padding: new long[] { 1, 1 });
        var (variance, mean) = var_mean(features, new long[] { 0, 2, 3 }, unbiased: true);
        var bn1 = model.BatchNorms()[0].Module;
        Assert.Equal(TinyModels.Doubles(mean), TinyModels.Doubles(bn1.running_mean!), new ToleranceComparer(1e-6));
        Assert.Equal(TinyModels.Doubles(variance), TinyModels.Doubles(bn1.running_var!), new ToleranceComparer(1e-5));
    }

    [Fact]
    public void OnAnImageNetStemAOneSampleLastBatchIsLeftOutBecauseLayer4SeesOneByOneMaps()
    {
        // 16×16 → conv stride 2: 8 → maxpool: 4 → layer2: 2 → layer3: 1 → layer4: 1.
        using var model = new ResNet(new ResNetConfig([1, 1, 1, 1], 4, ResNetStem.ImageNet, 1, 10), seed: 42);
        model.train();
        using var data = randn(new long[] { 9, 1, 16, 16 }, generator: new Generator(43)).DetachFromDisposeScope();
        var r = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        Assert.Equal((8L, 1L, 1L), (r.SamplesUsed, r.SamplesDropped, r.BatchesDropped));
        Assert.Contains(r.Notes, n => n.Contains("'layer3.0.bn1'") && n.Contains("single value per channel"));
        Assert.Equal(8, r.Layers.Single(l => l.Name == "layer4.0.bn2").ElementsPerChannel);
    }
}
