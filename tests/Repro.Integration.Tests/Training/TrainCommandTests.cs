using System.Security.Cryptography;
using Newtonsoft.Json.Linq;

namespace Repro.Integration.Tests.Training;

/// <summary><c>repro train</c> through the real CLI, on the tiny synthetic experiment (seconds per run).</summary>
public class TrainCommandTests
{
    private static readonly string Tiny = Path.Combine(ReproProcess.RepoRoot, "tests", "experiments", "tiny", "experiment.json");

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static ProcessResult Train(string args)
    {
        var r = ReproProcess.Repro($"train {args}", timeout: TimeSpan.FromMinutes(3));
        return r;
    }

    private static void Ok(ProcessResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    private static void BadInput(ProcessResult r, string message)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        string err = r.StdErr.Trim();
        Assert.Single(err.Split('\n'));
        Assert.Equal($"repro: error: {message}", err);
    }

    /// <summary>A copy of the tiny experiment with <paramref name="edit"/> applied, in <paramref name="dir"/>.</summary>
    private static string Variant(TempFolder dir, Action<JObject> edit)
    {
        JObject o = JObject.Parse(File.ReadAllText(Tiny));
        edit(o);
        string path = dir.File("experiment.json");
        File.WriteAllText(path, o.ToString());
        return path;
    }

    [Fact]
    public void TwoRunsGiveTheSameCheckpointHashes()
    {
        using var tmp = ReproProcess.TempFolder();
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("a")} --epochs 2"));
        var b = Train($"--config {Tiny} --out-dir {tmp.File("b")} --epochs 2");
        Ok(b);
        Assert.Contains("epoch 2/2", b.StdOut);
        foreach (string f in new[] { "model.safetensors", "ema.safetensors", "epochs/epoch-0001.safetensors" })
            Assert.Equal(Sha(Path.Combine(tmp.File("a"), f)), Sha(Path.Combine(tmp.File("b"), f)));
        var metrics = JObject.Parse(File.ReadAllText(tmp.File("b/metrics.json")));
        Assert.Equal(2, ((JArray)metrics["epochs"]!).Count);
        Assert.Equal(Sha(tmp.File("b/model.safetensors")), (string)metrics["model"]!["sha256"]!);
    }

    [Fact]
    public void ResumeAfterAStopEqualsAnUninterruptedRun()
    {
        using var tmp = ReproProcess.TempFolder();
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("whole")} --epochs 3"));
        var stop = Train($"--config {Tiny} --out-dir {tmp.File("part")} --epochs 3 --stop-after 1");
        Ok(stop);
        Assert.Contains("stopped after epoch 1 of 3", stop.StdOut);
        Assert.False(File.Exists(tmp.File("part/model.safetensors")));
        var resumed = Train($"--config {Tiny} --out-dir {tmp.File("part")} --epochs 3 --resume {tmp.File("part/epochs/epoch-0001.safetensors")}");
        Ok(resumed);
        Assert.Contains("resumed from", resumed.StdOut);
        Assert.Equal(Sha(tmp.File("whole/model.safetensors")), Sha(tmp.File("part/model.safetensors")));
        Assert.Equal(Sha(tmp.File("whole/ema.safetensors")), Sha(tmp.File("part/ema.safetensors")));
    }

    [Fact]
    public void OptionsOverrideTheConfig()
    {
        using var tmp = ReproProcess.TempFolder();
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("a")} --seed 7 --threads 2 --device cpu"));
        var metrics = JObject.Parse(File.ReadAllText(tmp.File("a/metrics.json")));
        Assert.Equal(7, (long)metrics["seed"]!);
        Assert.Equal(2, (int)metrics["threads"]!);
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("b")}"));
        Assert.NotEqual(Sha(tmp.File("a/model.safetensors")), Sha(tmp.File("b/model.safetensors")));
    }

    [Fact]
    public void EmaBuffersCanBeAveraged()
    {
        using var tmp = ReproProcess.TempFolder();
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("copy")}"));
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("avg")} --ema-buffers average"));
        // The raw model trains the same (same losses); only the EMA's buffers differ.
        double Loss(string run) => (double)JObject.Parse(File.ReadAllText(tmp.File($"{run}/metrics.json")))["final"]!["trainLoss"]!;
        Assert.Equal(Loss("copy"), Loss("avg"));
        Assert.NotEqual(Sha(tmp.File("copy/ema.safetensors")), Sha(tmp.File("avg/ema.safetensors")));
        BadInput(Train($"--config {Tiny} --out-dir {tmp.File("x")} --ema-buffers mean"), "--ema-buffers mean: use copy or average");
    }

    [Fact]
    public void ResumingWithAnotherConfigIsExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        Ok(Train($"--config {Tiny} --out-dir {tmp.File("a")} --epochs 2 --stop-after 1"));
        string state = tmp.File("a/epochs/epoch-0001.safetensors");
        BadInput(Train($"--config {Tiny} --out-dir {tmp.File("a")} --epochs 3 --resume {state}"),
            $"--resume {state}: written by a run with a different config (train.epochs is 2 there, 3 here); resume only with the config that wrote it");
    }

    [Fact]
    public void ConfigErrorsAreOneLineExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        string unknown = Variant(tmp, o => o["train"]!["learningRate"] = 0.1);
        BadInput(Train($"--config {unknown} --out-dir {tmp.File("o")}"),
            $"{unknown}: train.learningRate is not a known key (known: epochs, batchSize, lr, momentum, nesterov, weightDecay, decayBnAndBias, schedule, milestones, gamma, warmupEpochs, labelSmoothing, augment, seed, threads, evalBatchSize, ema)");
        string lr = Variant(tmp, o => o["train"]!["lr"] = 0);
        BadInput(Train($"--config {lr} --out-dir {tmp.File("o")}"), $"{lr}: train.lr must be a positive number (got 0)");
        string decay = Variant(tmp, o => o["train"]!["ema"]!["decay"] = 1.0);
        BadInput(Train($"--config {decay} --out-dir {tmp.File("o")}"), $"{decay}: train.ema.decay must be in [0, 1) (got 1)");
        BadInput(Train($"--config {Tiny} --out-dir {tmp.File("o")} --epochs 0"), "--epochs 0: must be at least 1");
        string epochs = Variant(tmp, o => o["train"]!["epochs"] = -1);
        BadInput(Train($"--config {epochs} --out-dir {tmp.File("o")}"), $"{epochs}: train.epochs must be at least 1 (got -1)");
        Assert.False(Directory.Exists(tmp.File("o")));
    }

    [Fact]
    public void DataThatDisagreesWithTheModelIsExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        string labels = Variant(tmp, o => o["model"]!["numClasses"] = 4);
        var r = Train($"--config {labels} --out-dir {tmp.File("o")}");
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"^repro: error: train data synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1: label \d+ at sample \d+ is outside \[0, 4\) \(model.numClasses 4\)$", r.StdErr.Trim());

        string channels = Variant(tmp, o => o["model"]!["inChannels"] = 3);
        BadInput(Train($"--config {channels} --out-dir {tmp.File("o")}"),
            "train data synthetic:n=256,c=1,h=16,w=16,classes=10,seed=1: images have 1 channel(s) but the model takes 3 (model.inChannels)");
        Assert.False(Directory.Exists(tmp.File("o")));
    }

    [Fact]
    public void MissingOptionsAreExit2()
    {
        BadInput(Train("--out-dir x"), "--config is required (an experiment.json)");
        BadInput(Train($"--config {Tiny}"), "--out-dir is required");
    }
}
