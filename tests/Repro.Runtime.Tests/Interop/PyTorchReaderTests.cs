using Repro.Runtime.Checkpoints;
using Repro.Runtime.Interop;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Interop;

/// <summary>Reading torch.save files written by PyTorch 1.13 (tests/fixtures/pytorch/make_fixtures.py).</summary>
public class PyTorchReaderTests
{
    [Fact]
    public void EveryDtypeAndEveryViewMatchesTheSafetensorsCopyBitForBit()
    {
        var tensors = PyTorchCheckpointReader.ReadStateDict(Fixtures.File("tensors.pt"));
        using var reference = SafetensorsReader.Read(Fixtures.File("tensors.safetensors"));
        Assert.Equal(reference.Tensors.Keys.Order(), tensors.Keys.Order());
        foreach (var (name, t) in reference.Tensors)
            TensorAssert.BitEqual(t, tensors[name], name);

        // Views of one 4×5 storage (0..19): offsets and strides resolved, contiguous copies made.
        Assert.Equal(new float[] { 5, 7, 9, 10, 12, 14 }, tensors["rows_1_2_every_other_column"].data<float>().ToArray());
        Assert.Equal(new long[] { 5, 4 }, tensors["transposed"].shape);
        Assert.Equal(5f, tensors["transposed"][0, 1].item<float>());
        Assert.True(tensors["transposed"].is_contiguous());
        Assert.Empty(tensors["scalar"].shape);
        Assert.Equal(42L, tensors["scalar"].item<long>());
        Assert.Equal(new[] { long.MinValue, -1, 0, long.MaxValue }, tensors["i64"].data<long>().ToArray());
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void TheTinyResNetStateDictMatchesItsSafetensorsCopy()
    {
        var tensors = PyTorchCheckpointReader.ReadStateDict(Fixtures.File("tiny_resnet.pt"));
        using var reference = SafetensorsReader.Read(Fixtures.File("tiny_resnet.safetensors"));
        Assert.Equal(reference.Tensors.Count, tensors.Count);
        foreach (var (name, t) in reference.Tensors)
            TensorAssert.BitEqual(t, tensors[name], name);
        // PyTorch's order is kept: per module, parameters then buffers.
        Assert.Equal(new[] { "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked" }, tensors.Keys.Take(6));
        Assert.Equal(2L, tensors["layer3.0.downsample.1.num_batches_tracked"].item<long>());
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void AKeyPicksTheStateDictOutOfATrainingCheckpoint()
    {
        var tensors = PyTorchCheckpointReader.ReadStateDict(Fixtures.File("checkpoint_dict.pt"), key: "state_dict");
        Assert.Equal(74, tensors.Count); // [1,1,1,1]: 12 BNs × 5, 12 convs, fc weight and bias
        foreach (var t in tensors.Values) t.Dispose();
    }

    private static void AssertBad(string path, string cause, string? key = null)
    {
        var e = Assert.Throws<BadInputException>(() => PyTorchCheckpointReader.ReadStateDict(path, key));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(cause, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ATrainingCheckpointWithoutAKeySaysWhichKeysThereAre() =>
        AssertBad(Fixtures.File("checkpoint_dict.pt"), "entry 'epoch' is a int, not a tensor; a training checkpoint? pick its state dict with --key (top-level keys: epoch, state_dict, best_acc)");

    [Fact]
    public void AnUnknownKeyListsTheKeys() =>
        AssertBad(Fixtures.File("checkpoint_dict.pt"), "--key model: no such entry; top-level keys: epoch, state_dict, best_acc", key: "model");

    [Fact]
    public void AWholePickledModelIsRefusedWithTheFix() =>
        AssertBad(Fixtures.File("whole_model.pt"), "refuses to unpickle 'reference_resnet.ResNet': only tensors and plain containers are accepted, because loading any other object can run code; to import a model, save its state dict: torch.save(model.state_dict(), path)");

    [Fact]
    public void APickleThatWouldRunACommandIsRefusedBeforeAnythingIsBuilt() =>
        AssertBad(Fixtures.File("evil.pt"), "refuses to unpickle 'posix.system'");

    [Fact]
    public void TheLegacyFormatIsRefusedWithTheFix() =>
        AssertBad(Fixtures.File("legacy.pt"), "legacy (pre-1.6) format");

    [Fact]
    public void MissingFile() => AssertBad(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.pt"), "file not found");
}
