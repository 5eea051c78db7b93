using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Integration.Tests.Calibration;

/// <summary>
/// `repro precise-bn` against an independent implementation in PyTorch
/// (tests/fixtures/pytorch/precise_bn_reference.py, Debian's python3-torch): both estimators, S not a
/// multiple of B, and a last batch that must be left out. Requires /usr/bin/python3 with torch; CI
/// installs it (build/prerequisites.cake), and a machine without it fails here rather than skipping.
/// </summary>
public class PythonCrossCheckTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly string Script = Path.Combine(ReproProcess.RepoRoot, "tests", "fixtures", "pytorch", "precise_bn_reference.py");

    [Theory]
    // Small stem on 12×12: 45 samples in batches of 8 = five of 8 and one of 5.
    [InlineData("population", "small", 12, 50, 45, 8, 0)]
    [InlineData("mean-of-batch-var", "small", 12, 50, 45, 8, 0)]
    // ImageNet stem on 16×16: layer3/4 see 1×1 maps, so the last batch (1 sample of 41) is left out by both.
    [InlineData("population", "imagenet", 16, 41, 41, 8, 1)]
    [InlineData("mean-of-batch-var", "imagenet", 16, 41, 41, 8, 1)]
    public void ReproMatchesAnIndependentPyTorchImplementation(string estimator, string stem, int size, int n, int samples, int batchSize, int dropped)
    {
        using var tmp = ReproProcess.TempFolder();
        string checkpoint = WriteCheckpoint(tmp.File("in.safetensors"), stem == "small" ? ResNetStem.Small : ResNetStem.ImageNet);
        string data = WriteImages(tmp.File("data.safetensors"), n, size);

        var r = ReproProcess.Repro(
            $"precise-bn --checkpoint {checkpoint} --data tensors:{data} --samples {samples} --batch-size {batchSize} " +
            $"--estimator {estimator} --out {tmp.File("out.safetensors")} --report {tmp.File("report.json")} --threads 1");
        Assert.True(r.ExitCode == 0, r.ToString());
        if (dropped > 0)
            Assert.Contains($"left out 1 batch(es), {dropped} sample(s)", r.StdOut);

        var py = ReproProcess.Run(Python,
            $"{Script} --checkpoint {checkpoint} --tensors {data} --samples {samples} --batch-size {batchSize} " +
            $"--estimator {estimator} --recalibrated {tmp.File("out.safetensors")} --rtol 1e-4",
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(py.ExitCode == 0, "the PyTorch reference disagrees (or python3-torch is missing: apt-get install python3-torch)\n" + py);
        Assert.Contains($"{samples - dropped} samples used, {dropped} dropped", py.StdOut);

        // The check can fail: the other estimator's reference must disagree with this output.
        string other = estimator == "population" ? "mean-of-batch-var" : "population";
        var control = ReproProcess.Run(Python,
            $"{Script} --checkpoint {checkpoint} --tensors {data} --samples {samples} --batch-size {batchSize} " +
            $"--estimator {other} --recalibrated {tmp.File("out.safetensors")} --rtol 1e-4",
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(control.ExitCode == 1, control.ToString());
        Assert.Contains("MISMATCH", control.StdOut);
    }

    /// <summary>A seeded ResNet whose BN affine parameters are spread out, so every layer's input statistics are far from trivial.</summary>
    private static string WriteCheckpoint(string path, ResNetStem stem)
    {
        using var model = new ResNet(new ResNetConfig([1, 1, 1, 1], 4, stem, 1, 10), seed: 11);
        using (no_grad())
        {
            var g = new Generator(12);
            foreach (var (_, bn) in model.BatchNorms())
            {
                bn.weight.copy_(rand(bn.weight.shape, generator: g) + 0.5);
                bn.bias!.copy_(randn(bn.bias.shape, generator: g) * 0.3);
            }
        }
        ModelCheckpoint.Save(path, model);
        return path;
    }

    private static string WriteImages(string path, int n, int size)
    {
        var g = new Generator(13);
        using var images = randn(new long[] { n, 1, size, size }, generator: g) * 1.5 + 0.7;
        using var labels = randint(0, 10, new long[] { n }, generator: g);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["images"] = images, ["labels"] = labels });
        return path;
    }
}
