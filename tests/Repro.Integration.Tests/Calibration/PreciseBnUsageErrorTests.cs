namespace Repro.Integration.Tests.Calibration;

/// <summary>Every usage error: exit 2, one line naming the option and the cause, nothing written.</summary>
public class PreciseBnUsageErrorTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "--samples 30", "--samples 0", "--samples 0: must be at least 1" },
        { "--samples 30", "--samples -3", "--samples -3: must be at least 1" },
        { "--batch-size 8", "--batch-size 0", "--batch-size 0: must be at least 1" },
        { "--batch-size 8", "", "--batch-size is required: train-mode BN statistics depend on it; use the training batch size." },
        { "--threads 1", "--threads 0", "--threads 0: must be at least 1" },
        { "--samples 30", "--samples 30 --estimator ema", "--estimator ema: unknown estimator; use population or mean-of-batch-var." },
        { "--samples 30", "--samples 30 --order random", "--order random: unknown order; use sequential or shuffle" },
        { "--samples 30", "--samples 30 --seed -1", "--seed -1: must not be negative" },
        { "--samples 30", "--samples 30 --device tpu", "--device tpu: unknown device; use auto, cpu, cuda or cuda:N." },
        { "--samples 30", "--samples 30 --ranks 0", "--ranks 0: must be at least 1" },
        { $"--data {RecalibrationFixture.Train}", "--data imagenet:val", "data spec 'imagenet:val': unknown kind 'imagenet'; expected fashion-mnist, mnist, idx, cifar10, tensors or synthetic" },
        { $"--data {RecalibrationFixture.Train}", "--data synthetic:n=40,c=3,h=12,w=12", "--data synthetic:n=40,c=3,h=12,w=12,classes=10,seed=0: images have 3 channel(s) but the checkpoint's model takes 1" },
        { $"--data {RecalibrationFixture.Train}", "", "--data is required" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsExit2WithOneLineAndNoOutput(string replace, string with, string message)
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string args = RecalibrationFixture.Args(tmp, input);
        Assert.Contains(replace, args);
        var r = ReproProcess.Repro("precise-bn " + args.Replace(replace, with));
        AssertBadInput(r, message);
        Assert.Equal(new[] { "in.safetensors" }, Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AMissingCheckpointIsNamed()
    {
        using var tmp = ReproProcess.TempFolder();
        var r = ReproProcess.Repro("ema " + RecalibrationFixture.Args(tmp, tmp.File("nope.safetensors")));
        AssertBadInput(r, $"--checkpoint {tmp.File("nope.safetensors")}: file not found");
    }

    [Fact]
    public void OverwritingTheInputIsRefused()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input).Replace(tmp.File("out.safetensors"), input));
        AssertBadInput(r, $"--out {input}: is the input checkpoint; write the recalibrated model to a new file");
    }

    [Fact]
    public void AMissingOutputFolderIsNamed()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = RecalibrationFixture.Checkpoint(tmp.File("in.safetensors"));
        string missing = Path.Combine(tmp.Path, "no-such-dir");
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input).Replace(tmp.File("report.json"), Path.Combine(missing, "r.json")));
        AssertBadInput(r, $"--report {Path.Combine(missing, "r.json")}: folder {missing} does not exist");
    }

    [Fact]
    public void ACheckpointWithoutAModelConfigIsNamed()
    {
        using var tmp = ReproProcess.TempFolder();
        string input = tmp.File("plain.safetensors");
        Repro.Runtime.Checkpoints.SafetensorsWriter.Write(input, new Dictionary<string, TorchSharp.torch.Tensor> { ["w"] = TorchSharp.torch.zeros(2) });
        var r = ReproProcess.Repro("precise-bn " + RecalibrationFixture.Args(tmp, input));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"repro: error: {input}: no repro.model metadata", r.StdErr.Trim());
    }

    private static void AssertBadInput(ProcessResult r, string message)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal($"repro: error: {message}", r.StdErr.Trim());
        Assert.Equal("", r.StdOut);
    }
}
