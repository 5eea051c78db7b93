using Repro.Runtime.Checkpoints;
using Repro.Runtime.Interop;
using Repro.Runtime.Models;
using Repro.Runtime.Tests.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Interop;

/// <summary>Files Repro writes, checked by PyTorch itself (Debian's python3-torch 1.13, tests/fixtures/pytorch/check_repro_files.py).</summary>
public class PyTorchCrossCheckTests
{
    [Fact]
    public void AnExportedPtLoadsIntoPyTorchWithLoadStateDictAndComputesTheSameLogits()
    {
        using var dir = new TempDir();
        var config = new ResNetConfig([1, 2, 1, 1], 4, ResNetStem.ImageNet, 3, 5);
        using var model = new ResNet(config, seed: 21);
        model.train();
        using (var warm = randn(6, 3, 32, 32)) using (model.forward(warm)) { } // BN stats and counters that are not the initial ones
        model.eval();
        using var x = randn(2, 3, 32, 32);
        using var y = model.forward(x).detach();
        ModelCheckpoint.Save(dir.File("m.safetensors"), model);
        SafetensorsWriter.Write(dir.File("io.safetensors"), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y });
        PyTorchInterop.Export(dir.File("m.safetensors"), dir.File("m.pt"));

        var (code, output) = Fixtures.RunPython("check_repro_files.py", "export", dir.File("m.pt"), dir.File("m.safetensors"), dir.File("io.safetensors"));
        Assert.True(code == 0, output);
        Assert.StartsWith("OK export: 86 tensors bit-exact", output); // [1,2,1,1]: 14 BNs × 5, 14 convs, fc weight and bias
    }

    [Fact]
    public void ReproInitialisationIsTorchvisionsDrawForDrawUnderTheSameSeed()
    {
        using var dir = new TempDir();
        using var model = new ResNet(new ResNetConfig([2, 1, 2, 1], 8, ResNetStem.ImageNet, 3, 10), seed: 1234);
        ModelCheckpoint.Save(dir.File("init.safetensors"), model);
        var (code, output) = Fixtures.RunPython("check_repro_files.py", "init", dir.File("init.safetensors"), "1234");
        Assert.True(code == 0, output);
        Assert.StartsWith("OK init:", output);
    }
}
