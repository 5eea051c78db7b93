using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;

namespace Repro.Integration.Tests.Calibration;

/// <summary>Inputs for the precise-bn / ema CLI tests: a small fresh ResNet checkpoint and synthetic data specs.</summary>
internal static class RecalibrationFixture
{
    /// <summary>ResNet (1,1,1,1), width 4, small stem, 1 channel, 10 classes: 12 BN layers (stem, 2 per block, 3 downsamples), ~20k parameters.</summary>
    public static readonly ResNetConfig Config = new([1, 1, 1, 1], 4, ResNetStem.Small, 1, 10);

    public const string Train = "synthetic:n=40,c=1,h=12,w=12,classes=10,seed=1";
    public const string Test = "synthetic:n=24,c=1,h=12,w=12,classes=10,seed=2";

    /// <summary>Writes a freshly initialised (seeded) checkpoint with provenance metadata to <paramref name="path"/>.</summary>
    public static string Checkpoint(string path, long seed = 7, ResNetConfig? config = null)
    {
        using var model = new ResNet(config ?? Config, seed);
        ModelCheckpoint.Save(path, model, new Dictionary<string, string> { ["repro.test"] = "fixture" });
        return path;
    }

    public static string Args(TempFolder tmp, string checkpoint, string extra = "") =>
        $"--checkpoint {checkpoint} --data {Train} --test-data {Test} --samples 30 --batch-size 8 " +
        $"--out {tmp.File("out.safetensors")} --report {tmp.File("report.json")} --threads 1 {extra}";
}
