using System.Security.Cryptography;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Checkpoints;

public class ModelCheckpointTests
{
    private static readonly ResNetConfig Tiny = new([1, 2, 1, 1], 4, ResNetStem.Small, 1, 10);

    /// <summary>A model whose BN statistics and counters are not the initial ones, so buffers are really tested.</summary>
    private static ResNet TrainedALittle(ResNetConfig config, long seed)
    {
        var model = new ResNet(config, seed);
        model.train();
        using var x = randn(4, config.InChannels, 12, 12);
        using (model.forward(x)) { }
        using (model.forward(x)) { }
        return model;
    }

    [Fact]
    public void SaveThenLoadIsBitExactWithConfigAndProvenance()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        using var model = TrainedALittle(Tiny, 11);
        ModelCheckpoint.Save(path, model, new Dictionary<string, string> { ["repro.stage"] = "train", ["repro.seed"] = "11" });

        using var loaded = ModelCheckpoint.Load(path);
        Assert.Equal(Tiny, loaded.Config);
        Assert.Equal("train", loaded.Metadata["repro.stage"]);
        Assert.Equal(Tiny.ToJson(), loaded.Metadata[ModelCheckpoint.ModelConfigKey]);
        var expected = model.state_dict();
        foreach (var (name, t) in loaded.Model.state_dict())
            TensorAssert.BitEqual(expected[name], t, name);
        Assert.Equal(2L, loaded.Model.state_dict()["layer2.1.bn2.num_batches_tracked"].item<long>());

        model.eval();
        loaded.Model.eval();
        using var _ = no_grad();
        using var x = randn(3, 1, 12, 12);
        using var y0 = model.forward(x);
        using var y1 = loaded.Model.forward(x);
        TensorAssert.BitEqual(y0, y1, "logits");
    }

    [Fact]
    public void BatchCountersAreInt64ScalarsInTheFile()
    {
        using var dir = new TempDir();
        string path = dir.File("m.safetensors");
        using var model = new ResNet(Tiny, 0);
        ModelCheckpoint.Save(path, model);
        var header = SafetensorsHeader.Read(path);
        var counters = header.Entries.Where(e => e.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.Equal(model.BatchNorms().Count, counters.Count);
        Assert.All(counters, e => Assert.Equal(("I64", 0), (e.DType, e.Shape.Length)));
        Assert.All(header.Entries.Except(counters), e => Assert.Equal("F32", e.DType));
    }

    [Fact]
    public void SavingTheSameModelTwiceGivesTheSameHash()
    {
        using var dir = new TempDir();
        using var a = TrainedALittle(Tiny, 3);
        using var b = TrainedALittle(Tiny, 3);
        ModelCheckpoint.Save(dir.File("a.safetensors"), a, new Dictionary<string, string> { ["repro.x"] = "1" });
        ModelCheckpoint.Save(dir.File("b.safetensors"), b, new Dictionary<string, string> { ["repro.x"] = "1" });
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(dir.File("a.safetensors"))), SHA256.HashData(File.ReadAllBytes(dir.File("b.safetensors"))));
    }

    [Fact]
    public void LoadingDoesNotAdvanceTheGlobalGenerator()
    {
        using var dir = new TempDir();
        string path = dir.File("m.safetensors");
        using (var model = new ResNet(Tiny, 0))
            ModelCheckpoint.Save(path, model);
        manual_seed(99);
        using var expected = rand(5);
        manual_seed(99);
        using (ModelCheckpoint.Load(path)) { }
        using var actual = rand(5);
        TensorAssert.BitEqual(expected, actual, "draw after load");
    }

    [Fact]
    public void ProvenanceKeysMustBeReproKeys()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save(dir.File("m.safetensors"), model, new Dictionary<string, string> { ["author"] = "x" }));
        Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save(dir.File("m.safetensors"), model, new Dictionary<string, string> { ["repro.model"] = "{}" }));
        Assert.False(File.Exists(dir.File("m.safetensors")));
    }

    [Fact]
    public void DescribeListsBatchNormsAndParametersFromTheHeaderAlone()
    {
        using var dir = new TempDir();
        string path = dir.File("m.safetensors");
        using var model = new ResNet(ResNetConfig.ResNet18(), 0);
        ModelCheckpoint.Save(path, model);
        var d = ModelCheckpoint.Describe(path);
        Assert.Equal(ResNetConfig.ResNet18(), d.Config);
        Assert.Equal(11_689_512, d.ParameterCount);
        Assert.Equal(model.BatchNorms().Select(b => (b.Name, b.Module.num_features)), d.BatchNorms);
    }

    // --- a config that disagrees with the tensors: one line naming the file and the first offending key

    private static string WriteWithConfig(TempDir dir, IReadOnlyDictionary<string, Tensor> tensors, string configJson)
    {
        string path = dir.File("bad.safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { [ModelCheckpoint.ModelConfigKey] = configJson });
        return path;
    }

    private static void AssertBadBothWays(string path, string cause)
    {
        foreach (Action read in new Action[] { () => ModelCheckpoint.Load(path).Dispose(), () => ModelCheckpoint.Describe(path) })
        {
            var e = Assert.Throws<BadInputException>(read);
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(cause, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void AWiderConfigThanTheTensorsNamesTheFirstKey()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        var wider = new ResNetConfig(Tiny.Depths, 8, Tiny.Stem, 1, 10);
        string path = WriteWithConfig(dir, model.state_dict(), wider.ToJson());
        AssertBadBothWays(path, "tensor 'bn1.bias' has shape [4] but the model config (ResNet depths [1,2,1,1], width 8, small stem, 1 in, 10 classes) needs [8]");
    }

    [Fact]
    public void MoreBlocksInTheConfigIsAMissingTensor()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        var deeper = new ResNetConfig([1, 2, 2, 1], 4, ResNetStem.Small, 1, 10);
        string path = WriteWithConfig(dir, model.state_dict(), deeper.ToJson());
        AssertBadBothWays(path, "tensor 'layer3.1.bn1.bias' is missing");
    }

    [Fact]
    public void FewerBlocksInTheConfigIsAnExtraTensor()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        var shallower = new ResNetConfig([1, 1, 1, 1], 4, ResNetStem.Small, 1, 10);
        string path = WriteWithConfig(dir, model.state_dict(), shallower.ToJson());
        AssertBadBothWays(path, "tensor 'layer2.1.bn1.bias' is not part of the model config");
    }

    [Fact]
    public void AnotherStemIsAShapeMismatchOnConv1()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        var imagenet = new ResNetConfig(Tiny.Depths, 4, ResNetStem.ImageNet, 1, 10);
        string path = WriteWithConfig(dir, model.state_dict(), imagenet.ToJson());
        AssertBadBothWays(path, "tensor 'conv1.weight' has shape [4,1,3,3] but the model config");
    }

    [Fact]
    public void AWrongDtypeIsNamed()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        var tensors = new Dictionary<string, Tensor>(model.state_dict());
        using var half = tensors["fc.bias"].to(ScalarType.Float16);
        tensors["fc.bias"] = half;
        string path = WriteWithConfig(dir, tensors, Tiny.ToJson());
        AssertBadBothWays(path, "tensor 'fc.bias' is F16 but the model needs F32");
    }

    [Fact]
    public void NoConfigMetadata()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        string path = dir.File("bad.safetensors");
        SafetensorsWriter.Write(path, model.state_dict());
        AssertBadBothWays(path, "no repro.model metadata");
    }

    [Fact]
    public void AMalformedConfigNamesTheKey()
    {
        using var dir = new TempDir();
        using var model = new ResNet(Tiny, 0);
        string path = WriteWithConfig(dir, model.state_dict(), """{"depths":[1,2,1,1],"width":4,"stem":"small","inChannels":1,"numClasses":10,"extra":1}""");
        AssertBadBothWays(path, "__metadata__.repro.model.extra: unknown key");
    }

    [Fact]
    public void AMissingCheckpoint()
    {
        using var dir = new TempDir();
        AssertBadBothWays(dir.File("bad.safetensors"), "file not found");
    }
}
