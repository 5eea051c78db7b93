using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;

namespace Repro.Integration.Tests.Calibration;

/// <summary><c>repro precise-bn</c> and <c>repro ema</c> through the real CLI.</summary>
public class PreciseBnCliTests
{
    private static bool IsRunningStat(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal);

    [Fact]
    public void TheOutputDiffersFromTheInputOnlyInBnStatisticsAndRecordsHowItWasMade()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));

        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("precise-bn: 12 BN layer(s) of the model recalibrated (population) from 30 samples in 4 batch(es) of 8", r.StdOut);
        Assert.Contains("note: 4 batches: 3 of 8 and a last one of 6", r.StdOut);
        using var before = SafetensorsReader.Read(input);
        using var after = SafetensorsReader.Read(tmp.File("out.safetensors"));
        Assert.Equal(before.Tensors.Keys.Order(), after.Tensors.Keys.Order());
        foreach (var (name, tensor) in before.Tensors)
        {
            bool same = tensor.bytes.SequenceEqual(after.Tensors[name].bytes);
            Assert.True(IsRunningStat(name) ? !same : same, $"{name}: {(same ? "unchanged" : "changed")}");
        }
        Assert.Equal(before.Metadata["repro.model"], after.Metadata["repro.model"]);
        Assert.Equal("fixture", after.Metadata["repro.test"]);
        var provenance = JObject.Parse(after.Metadata["repro.preciseBn"]);
        Assert.Equal("population", (string?)provenance["estimator"]);
        Assert.Equal(30, (long)provenance["samples"]!);
        Assert.Equal(8, (long)provenance["batchSize"]!);
        Assert.Equal("sequential", (string?)provenance["order"]);
        Assert.Equal(RecalibrationFixture.Train, (string?)provenance["data"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)provenance["dataFingerprint"]);
        Assert.Equal(Repro.Pipeline.Hashing.ContentHash.OfFile(input), (string?)provenance["input"]);
        Assert.NotNull(provenance["reproVersion"]);

        var report = JObject.Parse(File.ReadAllText(tmp.File("report.json")));
        Assert.Equal("precise-bn", (string?)report["command"]);
        Assert.Equal(30, (long)report["run"]!["samplesUsed"]!);
        Assert.Equal(12, report["layers"]!.Count());
        Assert.Equal(24, (long)report["accuracy"]!["samples"]!);
        Assert.InRange((double)report["accuracy"]!["before"]!, 0, 1);
        Assert.InRange((double)report["accuracy"]!["after"]!, 0, 1);
        Assert.Equal(new[] { "in.safetensors", "out.safetensors", "report.json" }, Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TheSameRunGivesTheSameBytes()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string args = RecalibrationFixture.Args(tmp, input, "--order shuffle --seed 5 --estimator mean-of-batch-var");
        Assert.Equal(0, ReproProcess.Repro("precise-bn " + args).ExitCode);
        byte[] first = File.ReadAllBytes(tmp.File("out.safetensors"));
        var r = ReproProcess.Repro("precise-bn " + args);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(first, File.ReadAllBytes(tmp.File("out.safetensors")));
        var provenance = JObject.Parse(SafetensorsHeader.Read(tmp.File("out.safetensors")).Metadata["repro.preciseBn"]);
        Assert.Equal(("shuffle", 5L, "mean-of-batch-var"), ((string?)provenance["order"], (long)provenance["seed"]!, (string?)provenance["estimator"]));
    }

    [Fact]
    public void EmaLabelsTheEmaModelsAccuracy()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("ema.safetensors"));
        var r = ReproProcess.Repro("ema " + RecalibrationFixture.Args(tmp, input));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ema: 12 BN layer(s) of the EMA weights recalibrated", r.StdOut);
        var report = JObject.Parse(File.ReadAllText(tmp.File("report.json")));
        Assert.Equal(("ema", "EMA weights"), ((string?)report["command"], (string?)report["subject"]));
        Assert.StartsWith("top-1 accuracy of the EMA weights on synthetic:", (string?)report["accuracy"]!["label"]);
        Assert.Equal("ema", (string?)JObject.Parse(SafetensorsHeader.Read(tmp.File("out.safetensors")).Metadata["repro.preciseBn"])["command"]);
    }

    [Fact]
    public void MoreSamplesThanTheDataHoldsUsesAllAndSaysSo()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input).Replace("--samples 30", "--samples 100"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("note: --samples 100: the data has only 40 samples; using all 40", r.StdOut);
        var report = JObject.Parse(File.ReadAllText(tmp.File("report.json")));
        Assert.Equal((100L, 40L, 40L), ((long)report["run"]!["samplesRequested"]!, (long)report["run"]!["samplesAvailable"]!, (long)report["run"]!["samplesUsed"]!));
    }

    [Fact]
    public void NonFiniteStatisticsFailNamingTheLayerAndWriteNothing()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        // A NaN in the first conv's weights reaches bn1's input in every batch.
        using (var content = SafetensorsReader.Read(input))
        {
            var tensors = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
            tensors["conv1.weight"][0, 0, 1, 1] = TorchSharp.torch.tensor(float.NaN);
            SafetensorsWriter.Write(input, tensors, content.Metadata);
        }
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains("BatchNorm 'bn1': non-finite statistics", r.StdErr);
        Assert.Contains("nothing was written", r.StdErr);
        Assert.Equal(new[] { "in.safetensors" }, Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WithoutTestDataTheReportSaysAccuracyWasNotMeasured()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input).Replace($"--test-data {RecalibrationFixture.Test} ", ""));
        Assert.True(r.ExitCode == 0, r.ToString());
        var report = JObject.Parse(File.ReadAllText(tmp.File("report.json")));
        Assert.Equal(JTokenType.Null, report["accuracy"]!.Type);
        Assert.Contains("accuracy not measured: no --test-data", report["notes"]!.Values<string>());
    }
}
