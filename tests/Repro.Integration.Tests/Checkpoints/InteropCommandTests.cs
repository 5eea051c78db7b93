using Repro.Runtime.Checkpoints;
using Repro.Runtime.Interop;

namespace Repro.Integration.Tests.Checkpoints;

/// <summary>`repro import` / `repro export` on the PyTorch-written fixtures in tests/fixtures/pytorch.</summary>
public class InteropCommandTests
{
    private static string Fixture(string name) => Path.Combine(ReproProcess.RepoRoot, "tests", "fixtures", "pytorch", name);

    private static void AssertBadInput(ProcessResult r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        string err = r.StdErr.Trim();
        Assert.Single(err.Split('\n'));
        foreach (var f in fragments)
            Assert.Contains(f, err);
    }

    [Fact]
    public void ImportThenExportRoundTripsThePyTorchStateDictBitForBit()
    {
        using var dir = ReproProcess.TempFolder();
        string imported = dir.File("imported.safetensors");
        string exported = dir.File("exported.pt");

        var import = ReproProcess.Repro($"import --in \"{Fixture("tiny_resnet.pt")}\" --model \"{Fixture("tiny_resnet.config.json")}\" --out \"{imported}\"");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("imported 74 tensors", import.StdOut);

        var info = ReproProcess.Repro($"info \"{imported}\"");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("repro.import.source = tiny_resnet.pt", info.StdOut);

        var export = ReproProcess.Repro($"export --in \"{imported}\" --out \"{exported}\"");
        Assert.True(export.ExitCode == 0, export.ToString());

        var original = PyTorchCheckpointReader.ReadStateDict(Fixture("tiny_resnet.pt"));
        var roundTripped = PyTorchCheckpointReader.ReadStateDict(exported);
        Assert.Equal(original.Keys, roundTripped.Keys); // PyTorch's key order survives the trip
        foreach (var (name, t) in original)
        {
            using var a = t.contiguous();
            using var b = roundTripped[name].contiguous();
            Assert.True(a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.bytes.SequenceEqual(b.bytes), name);
        }
    }

    [Fact]
    public void InlineModelJsonAndATrainingCheckpointKey()
    {
        using var dir = ReproProcess.TempFolder();
        string config = File.ReadAllText(Fixture("tiny_resnet.config.json")).Trim().Replace("\"", "\\\"");
        var r = ReproProcess.Repro($"import --in \"{Fixture("checkpoint_dict.pt")}\" --key state_dict --model \"{config}\" --out \"{dir.File("m.safetensors")}\"");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var loaded = ModelCheckpoint.Load(dir.File("m.safetensors"));
        Assert.Equal(4, loaded.Config.Width);
    }

    [Fact]
    public void AnExperimentWhoseModelDisagreesNamesTheInputAndTheFirstKey()
    {
        using var dir = ReproProcess.TempFolder();
        string experiment = Path.Combine(ReproProcess.RepoRoot, "experiments", "fashion-mnist-resnet", "experiment.json");
        var r = ReproProcess.Repro($"import --in \"{Fixture("tiny_resnet.pt")}\" --model \"{experiment}\" --out \"{dir.File("m.safetensors")}\"");
        AssertBadInput(r, Fixture("tiny_resnet.pt"), "tensor 'bn1.bias' has shape [4] but the model config (ResNet depths [1,1,1,1], width 16, small stem, 1 in, 10 classes) needs [16]");
        Assert.False(File.Exists(dir.File("m.safetensors")));
    }

    [Fact]
    public void ACorruptPtIsExit2WithOneLine()
    {
        using var dir = ReproProcess.TempFolder();
        var bytes = File.ReadAllBytes(Fixture("tiny_resnet.pt"));
        string corrupt = dir.File("corrupt.pt");
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length * 2 / 3)]);
        var r = ReproProcess.Repro($"import --in \"{corrupt}\" --model \"{Fixture("tiny_resnet.config.json")}\" --out \"{dir.File("m.safetensors")}\"");
        AssertBadInput(r, corrupt, "not a torch.save zip archive");
        Assert.False(File.Exists(dir.File("m.safetensors")));
    }

    [Fact]
    public void AHostilePickleIsRefused()
    {
        using var dir = ReproProcess.TempFolder();
        var r = ReproProcess.Repro($"import --in \"{Fixture("evil.pt")}\" --model \"{Fixture("tiny_resnet.config.json")}\" --out \"{dir.File("m.safetensors")}\"");
        AssertBadInput(r, "refuses to unpickle 'posix.system'", "can run code");
        Assert.DoesNotContain("this must never run", r.All);
    }

    [Fact]
    public void ExportOfAMissingCheckpoint()
    {
        using var dir = ReproProcess.TempFolder();
        AssertBadInput(ReproProcess.Repro($"export --in \"{dir.File("none.safetensors")}\" --out \"{dir.File("x.pt")}\""), "none.safetensors: file not found");
    }

    [Fact]
    public void ImportWithoutOut() =>
        AssertBadInput(ReproProcess.Repro($"import --in \"{Fixture("tiny_resnet.pt")}\""), "--out is required");
}
