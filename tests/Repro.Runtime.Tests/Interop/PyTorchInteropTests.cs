using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Interop;
using Repro.Runtime.Models;
using Repro.Runtime.Tests.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Interop;

public class PyTorchInteropTests
{
    private static readonly ResNetConfig FixtureModel = ResNetConfig.Parse(File.ReadAllText(Fixtures.File("tiny_resnet.config.json")), "tiny_resnet.config.json");

    [Fact]
    public void ImportingThePyTorchStateDictGivesTheModelPyTorchTrained()
    {
        using var dir = new TempDir();
        string output = dir.File("imported.safetensors");
        var summary = PyTorchInterop.Import(Fixtures.File("tiny_resnet.pt"), output, new ImportOptions { Model = FixtureModel });
        Assert.Equal(("torch.save", 74, 0, 0), (summary.Format, summary.Tensors, summary.ConvertedDtypes, summary.FilledBatchCounters));

        using var loaded = ModelCheckpoint.Load(output);
        Assert.Equal(FixtureModel, loaded.Config);
        Assert.Equal("tiny_resnet.pt", loaded.Metadata[PyTorchInterop.SourceKey]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixtures.File("tiny_resnet.pt")))), loaded.Metadata[PyTorchInterop.SourceHashKey]);
        using var reference = SafetensorsReader.Read(Fixtures.File("tiny_resnet.safetensors"));
        foreach (var (name, t) in loaded.Model.state_dict())
            TensorAssert.BitEqual(reference.Tensors[name], t, name);

        // Same architecture, same function: PyTorch's eval-mode logits for the fixture batch.
        using var io = SafetensorsReader.Read(Fixtures.File("tiny_resnet.io.safetensors"));
        loaded.Model.eval();
        using var _ = no_grad();
        using var y = loaded.Model.forward(io.Tensors["x"]);
        Assert.True(y.allclose(io.Tensors["y"], rtol: 1e-4, atol: 1e-5), $"max |diff| {(y - io.Tensors["y"]).abs().max().item<float>()}");
    }

    [Fact]
    public void APyTorchWrittenSafetensorsFileImportsToo()
    {
        using var dir = new TempDir();
        string output = dir.File("imported.safetensors");
        var summary = PyTorchInterop.Import(Fixtures.File("tiny_resnet.safetensors"), output, new ImportOptions());
        Assert.Equal("safetensors", summary.Format);
        Assert.Equal(FixtureModel, summary.Config); // from the file's own repro.model metadata
        using var loaded = ModelCheckpoint.Load(output);
        Assert.Equal(2L, loaded.Model.state_dict()["bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void KeyAndStripPrefixReachWrappedStateDicts()
    {
        using var dir = new TempDir();
        PyTorchInterop.Import(Fixtures.File("checkpoint_dict.pt"), dir.File("a.safetensors"), new ImportOptions { Model = FixtureModel, Key = "state_dict" });
        PyTorchInterop.Import(Fixtures.File("module_prefixed.pt"), dir.File("b.safetensors"), new ImportOptions { Model = FixtureModel, StripPrefix = "module." });
        var a = SafetensorsReader.Read(dir.File("a.safetensors"));
        var b = SafetensorsReader.Read(dir.File("b.safetensors"));
        foreach (var (name, t) in a.Tensors)
            TensorAssert.BitEqual(t, b.Tensors[name], name);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void HalfPrecisionAndMissingCountersAreAcceptedAsPyTorchWouldLoadThem()
    {
        using var dir = new TempDir();
        var tensors = PyTorchCheckpointReader.ReadStateDict(Fixtures.File("tiny_resnet.pt"));
        var halved = tensors
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(kv => (kv.Key, kv.Value.dtype == ScalarType.Float32 ? kv.Value.to(ScalarType.Float16) : kv.Value))
            .ToList();
        string half = dir.File("half.pt");
        PyTorchCheckpointWriter.WriteStateDict(half, halved);

        var summary = PyTorchInterop.Import(half, dir.File("out.safetensors"), new ImportOptions { Model = FixtureModel });
        Assert.Equal(62, summary.ConvertedDtypes); // every float tensor of 74; the 12 counters were dropped
        Assert.Equal(12, summary.FilledBatchCounters);
        using var loaded = ModelCheckpoint.Load(dir.File("out.safetensors"));
        using var expected = tensors["layer1.0.conv1.weight"].to(ScalarType.Float16).to(ScalarType.Float32);
        TensorAssert.BitEqual(expected, loaded.Model.state_dict()["layer1.0.conv1.weight"], "half → float");
        Assert.Equal(0L, loaded.Model.state_dict()["bn1.num_batches_tracked"].item<long>());
        foreach (var t in tensors.Values) t.Dispose();
    }

    private static void AssertImportBad(string input, ImportOptions options, string cause)
    {
        using var dir = new TempDir();
        string output = dir.File("never.safetensors");
        var e = Assert.Throws<BadInputException>(() => PyTorchInterop.Import(input, output, options));
        Assert.Contains(cause, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AConfigThatDisagreesNamesTheInputAndTheFirstKey() =>
        AssertImportBad(Fixtures.File("tiny_resnet.pt"), new ImportOptions { Model = new ResNetConfig([1, 1, 1, 1], 4, ResNetStem.Small, 1, 10) },
            $"{Fixtures.File("tiny_resnet.pt")}: tensor 'fc.bias' has shape [3] but the model config (ResNet depths [1,1,1,1], width 4, small stem, 1 in, 10 classes) needs [10]");

    [Fact]
    public void APrefixedStateDictSaysWhichPrefixToStrip() =>
        AssertImportBad(Fixtures.File("module_prefixed.pt"), new ImportOptions { Model = FixtureModel }, "every key starts with 'module.' (saved from a wrapper such as DataParallel?): pass --strip-prefix module.");

    [Fact]
    public void ATorchFileNeedsAModelConfig() =>
        AssertImportBad(Fixtures.File("tiny_resnet.pt"), new ImportOptions(), "--model is required");

    [Fact]
    public void ExportedPtReadsBackBitExactlyInPyTorchsKeyOrder()
    {
        using var dir = new TempDir();
        using var model = new ResNet(FixtureModel, seed: 4);
        ModelCheckpoint.Save(dir.File("m.safetensors"), model);
        PyTorchInterop.Export(dir.File("m.safetensors"), dir.File("m.pt"));

        var back = PyTorchCheckpointReader.ReadStateDict(dir.File("m.pt"));
        var torchOrder = ModelCheckpoint.TorchOrderedStateDict(model);
        Assert.Equal(torchOrder.Select(e => e.Name), back.Keys);
        foreach (var (name, t) in torchOrder)
            TensorAssert.BitEqual(t, back[name], name);
        foreach (var t in back.Values) t.Dispose();
    }

    [Fact]
    public void ExportIsDeterministicAndAlignsStoragesTo64Bytes()
    {
        using var dir = new TempDir();
        using var model = new ResNet(FixtureModel, seed: 4);
        ModelCheckpoint.Save(dir.File("m.safetensors"), model);
        PyTorchInterop.Export(dir.File("m.safetensors"), dir.File("1.pt"));
        PyTorchInterop.Export(dir.File("m.safetensors"), dir.File("2.pt"));
        var bytes = File.ReadAllBytes(dir.File("1.pt"));
        Assert.Equal(bytes, File.ReadAllBytes(dir.File("2.pt")));

        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(new[] { "archive/data.pkl", "archive/byteorder" }, zip.Entries.Take(2).Select(e => e.FullName));
        Assert.Equal("archive/version", zip.Entries[^1].FullName);
        // Walk the local headers: stored (method 0), data at a multiple of 64.
        int pos = 0;
        while (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos)) == 0x04034b50)
        {
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos + 8)));
            int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos + 18));
            int dataStart = pos + 30 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos + 28));
            Assert.Equal(0, dataStart % 64);
            pos = dataStart + size;
        }
        Assert.Equal(zip.Entries.Count, ModelCheckpoint.TorchOrderedStateDict(model).Count + 3);
    }

    [Fact]
    public void TorchOrderIsTorchvisionsResNet18Order()
    {
        using var model = new ResNet(ResNetConfig.ResNet18(), seed: 0);
        var names = ModelCheckpoint.TorchOrderedStateDict(model).Select(e => e.Name).ToList();
        Assert.Equal(122, names.Count);
        Assert.Equal(new[] { "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight" }, names.Take(7));
        Assert.Equal(new[] { "layer2.0.bn2.num_batches_tracked", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight" }, names.SkipWhile(n => n != "layer2.0.bn2.num_batches_tracked").Take(3));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, names.TakeLast(2));
    }
}
