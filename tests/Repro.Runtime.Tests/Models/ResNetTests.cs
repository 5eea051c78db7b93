using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Models;

public class ResNetTests
{
    private static readonly ResNetConfig Tiny = new([1, 1, 1, 1], 8, ResNetStem.Small, 1, 10);

    [Fact]
    public void SmallStemKeepsResolutionUntilTheStagesAndGivesLogitsPerClass()
    {
        using var model = new ResNet(Tiny, seed: 1);
        model.eval();
        using var _ = no_grad();
        using var x = randn(2, 1, 28, 28);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
        // 3×3 stride-1 stem: conv1 keeps 28×28 (the imagenet stem would give 14×14, then 7×7 after maxpool).
        Assert.Equal(new long[] { 8, 1, 3, 3 }, model.state_dict()["conv1.weight"].shape);
    }

    [Fact]
    public void ImageNetStemGivesLogitsPerClass()
    {
        var config = new ResNetConfig([1, 2, 1, 1], 4, ResNetStem.ImageNet, 3, 7);
        using var model = new ResNet(config, seed: 1);
        model.eval();
        using var _ = no_grad();
        using var x = randn(3, 3, 64, 64);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 3, 7 }, y.shape);
        Assert.Equal(new long[] { 4, 3, 7, 7 }, model.state_dict()["conv1.weight"].shape);
        Assert.Equal(new long[] { 8, 8, 3, 3 }, model.state_dict()["layer2.1.conv1.weight"].shape);
        Assert.Equal(new long[] { 32, 16, 1, 1 }, model.state_dict()["layer4.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 7, 32 }, model.state_dict()["fc.weight"].shape);
    }

    [Fact]
    public void FirstStageHasNoDownsampleWhenWidthsMatch()
    {
        using var model = new ResNet(Tiny, seed: 0);
        var keys = model.state_dict().Keys.ToList();
        Assert.DoesNotContain(keys, k => k.StartsWith("layer1.0.downsample", StringComparison.Ordinal));
        Assert.Contains("layer2.0.downsample.1.running_var", keys);
        Assert.DoesNotContain(keys, k => k.Contains("bias") && k.Contains("conv"));
    }

    [Fact]
    public void TheSeedAloneDeterminesTheWeights()
    {
        using var a = new ResNet(Tiny, seed: 7);
        using var b = new ResNet(Tiny, seed: 7);
        using var c = new ResNet(Tiny, seed: 8);
        foreach (var (key, ta) in a.state_dict())
            TensorAssert.BitEqual(ta, b.state_dict()[key], key);
        Assert.False(TensorAssert.BitEquals(a.state_dict()["layer3.0.conv2.weight"], c.state_dict()["layer3.0.conv2.weight"]));
    }

    [Fact]
    public void InitialisationIsTorchvisions()
    {
        using var model = new ResNet(ResNetConfig.ResNet18(), seed: 3);
        var sd = model.state_dict();
        // kaiming normal, mode fan_out, relu gain: std = sqrt(2 / (out_channels · k · k)).
        using var w = sd["layer4.0.conv2.weight"]; // 512·512·3·3 = 2.4M draws: the sample std is within 0.2%
        double expected = Math.Sqrt(2.0 / (512 * 3 * 3));
        Assert.InRange(w.std().item<float>(), expected * 0.99, expected * 1.01);
        Assert.InRange(Math.Abs(w.mean().item<float>()), 0, expected * 0.01);
        using var stem = sd["conv1.weight"];
        Assert.InRange(stem.std().item<float>(), Math.Sqrt(2.0 / (64 * 49)) * 0.97, Math.Sqrt(2.0 / (64 * 49)) * 1.03);
        foreach (var (name, bn) in model.BatchNorms())
        {
            Assert.True(bn.weight!.eq(1).all().item<bool>(), name);
            Assert.True(bn.bias!.eq(0).all().item<bool>(), name);
            Assert.True(bn.running_mean!.eq(0).all().item<bool>(), name);
            Assert.True(bn.running_var!.eq(1).all().item<bool>(), name);
            Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        }
        // fc keeps nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
        double bound = 1 / Math.Sqrt(512);
        Assert.InRange(sd["fc.weight"].abs().max().item<float>(), bound * 0.99, bound);
        Assert.InRange(sd["fc.bias"].abs().max().item<float>(), 0, bound);
    }

    [Fact]
    public void BatchNormsAreListedWithTheirStateDictPrefixesInModuleOrder()
    {
        using var model = new ResNet(Tiny, seed: 0);
        var names = model.BatchNorms().Select(b => b.Name).ToList();
        Assert.Equal(
            new[]
            {
                "bn1", "layer1.0.bn1", "layer1.0.bn2",
                "layer2.0.bn1", "layer2.0.bn2", "layer2.0.downsample.1",
                "layer3.0.bn1", "layer3.0.bn2", "layer3.0.downsample.1",
                "layer4.0.bn1", "layer4.0.bn2", "layer4.0.downsample.1",
            },
            names);
        Assert.Equal(new long[] { 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 }, model.BatchNorms().Select(b => b.Module.num_features));
    }

    [Fact]
    public void ImagesWithTheWrongChannelCountAreBadInput()
    {
        using var model = new ResNet(Tiny, seed: 0);
        using var x = randn(2, 3, 28, 28);
        var e = Assert.Throws<BadInputException>(() => model.forward(x));
        Assert.Contains("1-channel model", e.Message);
        Assert.Contains("[2,3,28,28]", e.Message);
    }

    [Fact]
    public void TrainingModeForwardUpdatesRunningStatsAndCounters()
    {
        using var model = new ResNet(Tiny, seed: 0);
        model.train();
        using var x = randn(4, 1, 16, 16);
        using (var y = model.forward(x)) { }
        var sd = model.state_dict();
        Assert.Equal(1L, sd["layer2.0.downsample.1.num_batches_tracked"].item<long>());
        Assert.False(sd["bn1.running_mean"].eq(0).all().item<bool>());
    }
}
