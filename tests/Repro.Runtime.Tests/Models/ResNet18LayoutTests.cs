using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Models;

/// <summary>Width 64, depths [2,2,2,2], imagenet stem, 3 channels, 1000 classes is torchvision's resnet18.</summary>
public class ResNet18LayoutTests
{
    /// <summary>
    /// torchvision resnet18's state_dict, key for key and shape for shape, in its order (printed once
    /// from a torch.nn ResNet with torchvision's module names; see tests/fixtures/pytorch/reference_resnet.py).
    /// </summary>
    private static readonly (string Key, long[] Shape)[] TorchvisionResNet18 =
    [
        ("conv1.weight", new long[] { 64, 3, 7, 7 }),
        ("bn1.weight", new long[] { 64 }),
        ("bn1.bias", new long[] { 64 }),
        ("bn1.running_mean", new long[] { 64 }),
        ("bn1.running_var", new long[] { 64 }),
        ("bn1.num_batches_tracked", new long[] { }),
        ("layer1.0.conv1.weight", new long[] { 64, 64, 3, 3 }),
        ("layer1.0.bn1.weight", new long[] { 64 }),
        ("layer1.0.bn1.bias", new long[] { 64 }),
        ("layer1.0.bn1.running_mean", new long[] { 64 }),
        ("layer1.0.bn1.running_var", new long[] { 64 }),
        ("layer1.0.bn1.num_batches_tracked", new long[] { }),
        ("layer1.0.conv2.weight", new long[] { 64, 64, 3, 3 }),
        ("layer1.0.bn2.weight", new long[] { 64 }),
        ("layer1.0.bn2.bias", new long[] { 64 }),
        ("layer1.0.bn2.running_mean", new long[] { 64 }),
        ("layer1.0.bn2.running_var", new long[] { 64 }),
        ("layer1.0.bn2.num_batches_tracked", new long[] { }),
        ("layer1.1.conv1.weight", new long[] { 64, 64, 3, 3 }),
        ("layer1.1.bn1.weight", new long[] { 64 }),
        ("layer1.1.bn1.bias", new long[] { 64 }),
        ("layer1.1.bn1.running_mean", new long[] { 64 }),
        ("layer1.1.bn1.running_var", new long[] { 64 }),
        ("layer1.1.bn1.num_batches_tracked", new long[] { }),
        ("layer1.1.conv2.weight", new long[] { 64, 64, 3, 3 }),
        ("layer1.1.bn2.weight", new long[] { 64 }),
        ("layer1.1.bn2.bias", new long[] { 64 }),
        ("layer1.1.bn2.running_mean", new long[] { 64 }),
        ("layer1.1.bn2.running_var", new long[] { 64 }),
        ("layer1.1.bn2.num_batches_tracked", new long[] { }),
        ("layer2.0.conv1.weight", new long[] { 128, 64, 3, 3 }),
        ("layer2.0.bn1.weight", new long[] { 128 }),
        ("layer2.0.bn1.bias", new long[] { 128 }),
        ("layer2.0.bn1.running_mean", new long[] { 128 }),
        ("layer2.0.bn1.running_var", new long[] { 128 }),
        ("layer2.0.bn1.num_batches_tracked", new long[] { }),
        ("layer2.0.conv2.weight", new long[] { 128, 128, 3, 3 }),
        ("layer2.0.bn2.weight", new long[] { 128 }),
        ("layer2.0.bn2.bias", new long[] { 128 }),
        ("layer2.0.bn2.running_mean", new long[] { 128 }),
        ("layer2.0.bn2.running_var", new long[] { 128 }),
        ("layer2.0.bn2.num_batches_tracked", new long[] { }),
        ("layer2.0.downsample.0.weight", new long[] { 128, 64, 1, 1 }),
        ("layer2.0.downsample.1.weight", new long[] { 128 }),
        ("layer2.0.downsample.1.bias", new long[] { 128 }),
        ("layer2.0.downsample.1.running_mean", new long[] { 128 }),
        ("layer2.0.downsample.1.running_var", new long[] { 128 }),
        ("layer2.0.downsample.1.num_batches_tracked", new long[] { }),
        ("layer2.1.conv1.weight", new long[] { 128, 128, 3, 3 }),
        ("layer2.1.bn1.weight", new long[] { 128 }),
        ("layer2.1.bn1.bias", new long[] { 128 }),
        ("layer2.1.bn1.running_mean", new long[] { 128 }),
        ("layer2.1.bn1.running_var", new long[] { 128 }),
        ("layer2.1.bn1.num_batches_tracked", new long[] { }),
        ("layer2.1.conv2.weight", new long[] { 128, 128, 3, 3 }),
        ("layer2.1.bn2.weight", new long[] { 128 }),
        ("layer2.1.bn2.bias", new long[] { 128 }),
        ("layer2.1.bn2.running_mean", new long[] { 128 }),
        ("layer2.1.bn2.running_var", new long[] { 128 }),
        ("layer2.1.bn2.num_batches_tracked", new long[] { }),
        ("layer3.0.conv1.weight", new long[] { 256, 128, 3, 3 }),
        ("layer3.0.bn1.weight", new long[] { 256 }),
        ("layer3.0.bn1.bias", new long[] { 256 }),
        ("layer3.0.bn1.running_mean", new long[] { 256 }),
        ("layer3.0.bn1.running_var", new long[] { 256 }),
        ("layer3.0.bn1.num_batches_tracked", new long[] { }),
        ("layer3.0.conv2.weight", new long[] { 256, 256, 3, 3 }),
        ("layer3.0.bn2.weight", new long[] { 256 }),
        ("layer3.0.bn2.bias", new long[] { 256 }),
        ("layer3.0.bn2.running_mean", new long[] { 256 }),
        ("layer3.0.bn2.running_var", new long[] { 256 }),
        ("layer3.0.bn2.num_batches_tracked", new long[] { }),
        ("layer3.0.downsample.0.weight", new long[] { 256, 128, 1, 1 }),
        ("layer3.0.downsample.1.weight", new long[] { 256 }),
        ("layer3.0.downsample.1.bias", new long[] { 256 }),
        ("layer3.0.downsample.1.running_mean", new long[] { 256 }),
        ("layer3.0.downsample.1.running_var", new long[] { 256 }),
        ("layer3.0.downsample.1.num_batches_tracked", new long[] { }),
        ("layer3.1.conv1.weight", new long[] { 256, 256, 3, 3 }),
        ("layer3.1.bn1.weight", new long[] { 256 }),
        ("layer3.1.bn1.bias", new long[] { 256 }),
        ("layer3.1.bn1.running_mean", new long[] { 256 }),
        ("layer3.1.bn1.running_var", new long[] { 256 }),
        ("layer3.1.bn1.num_batches_tracked", new long[] { }),
        ("layer3.1.conv2.weight", new long[] { 256, 256, 3, 3 }),
        ("layer3.1.bn2.weight", new long[] { 256 }),
        ("layer3.1.bn2.bias", new long[] { 256 }),
        ("layer3.1.bn2.running_mean", new long[] { 256 }),
        ("layer3.1.bn2.running_var", new long[] { 256 }),
        ("layer3.1.bn2.num_batches_tracked", new long[] { }),
        ("layer4.0.conv1.weight", new long[] { 512, 256, 3, 3 }),
        ("layer4.0.bn1.weight", new long[] { 512 }),
        ("layer4.0.bn1.bias", new long[] { 512 }),
        ("layer4.0.bn1.running_mean", new long[] { 512 }),
        ("layer4.0.bn1.running_var", new long[] { 512 }),
        ("layer4.0.bn1.num_batches_tracked", new long[] { }),
        ("layer4.0.conv2.weight", new long[] { 512, 512, 3, 3 }),
        ("layer4.0.bn2.weight", new long[] { 512 }),
        ("layer4.0.bn2.bias", new long[] { 512 }),
        ("layer4.0.bn2.running_mean", new long[] { 512 }),
        ("layer4.0.bn2.running_var", new long[] { 512 }),
        ("layer4.0.bn2.num_batches_tracked", new long[] { }),
        ("layer4.0.downsample.0.weight", new long[] { 512, 256, 1, 1 }),
        ("layer4.0.downsample.1.weight", new long[] { 512 }),
        ("layer4.0.downsample.1.bias", new long[] { 512 }),
        ("layer4.0.downsample.1.running_mean", new long[] { 512 }),
        ("layer4.0.downsample.1.running_var", new long[] { 512 }),
        ("layer4.0.downsample.1.num_batches_tracked", new long[] { }),
        ("layer4.1.conv1.weight", new long[] { 512, 512, 3, 3 }),
        ("layer4.1.bn1.weight", new long[] { 512 }),
        ("layer4.1.bn1.bias", new long[] { 512 }),
        ("layer4.1.bn1.running_mean", new long[] { 512 }),
        ("layer4.1.bn1.running_var", new long[] { 512 }),
        ("layer4.1.bn1.num_batches_tracked", new long[] { }),
        ("layer4.1.conv2.weight", new long[] { 512, 512, 3, 3 }),
        ("layer4.1.bn2.weight", new long[] { 512 }),
        ("layer4.1.bn2.bias", new long[] { 512 }),
        ("layer4.1.bn2.running_mean", new long[] { 512 }),
        ("layer4.1.bn2.running_var", new long[] { 512 }),
        ("layer4.1.bn2.num_batches_tracked", new long[] { }),
        ("fc.weight", new long[] { 1000, 512 }),
        ("fc.bias", new long[] { 1000 }),
    ];

    [Fact]
    public void StateDictIsTorchvisionResNet18KeyForKeyAndShapeForShape()
    {
        using var model = new ResNet(ResNetConfig.ResNet18(), seed: 0);
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        // Key for key (order aside: TorchSharp lists parameters before buffers, torch interleaves them;
        // safetensors files sort the keys anyway), shape for shape.
        Assert.Equal(122, TorchvisionResNet18.Length);
        Assert.Equal(TorchvisionResNet18.Select(e => e.Key).Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, want) in TorchvisionResNet18)
            Assert.True(want.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(",", want)}], got [{string.Join(",", actual[key])}]");
    }

    [Fact]
    public void DtypesAreFloat32ExceptTheInt64ScalarBatchCounters()
    {
        using var model = new ResNet(ResNetConfig.ResNet18(), seed: 0);
        foreach (var (key, t) in model.state_dict())
        {
            if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal(ScalarType.Int64, t.dtype);
                Assert.Empty(t.shape);
            }
            else
            {
                Assert.Equal(ScalarType.Float32, t.dtype);
            }
        }
    }

    [Fact]
    public void ParameterCountIsTorchvisionResNet18s()
    {
        using var model = new ResNet(ResNetConfig.ResNet18(), seed: 0);
        Assert.Equal(11_689_512, model.ParameterCount());
        Assert.Equal(20, model.BatchNorms().Count);
    }
}
