using System.Security.Cryptography;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;
using Repro.Runtime.Training;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public sealed class TrainingRunTests : IDisposable
{
    private static readonly ResNetConfig Model = new([1, 1, 1, 1], 4, ResNetStem.Small, 1, 3);
    private static readonly LabeledImages Train = TinyNet.Data.Make(96, seed: 1);
    private static readonly LabeledImages Test = TinyNet.Data.Make(48, seed: 2);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"repro-trainrun-{Guid.NewGuid():N}");

    private static TrainConfig Config() => new()
    {
        Epochs = 3, BatchSize = 16, Lr = 0.1, Nesterov = true, WeightDecay = 5e-4, WarmupEpochs = 0.5,
        Augment = new AugmentConfig(1, true), Seed = 5, Threads = 1, Ema = new EmaConfig(0.9, 1, 0, EmaBufferMode.Copy),
    };

    private string Dir(string name) => Path.Combine(_root, name);

    private TrainResult Run(string outDir, TrainConfig? config = null, string? resume = null, int? stopAfter = null, LabeledImages? train = null) =>
        TrainingRun.Run(new TrainRequest
        {
            Experiment = "test", Model = Model, Train = config ?? Config(), TrainData = train ?? Train, TestData = Test,
            OutDir = outDir, Device = CPU, ResumeFrom = resume, StopAfterEpoch = stopAfter,
        });

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void WritesEpochStatesTheModelTheEmaAndTheMetrics()
    {
        TrainResult r = Run(Dir("a"));
        Assert.True(r.Completed);
        for (int e = 1; e <= 3; e++) Assert.True(File.Exists(EpochStateFile.PathFor(Dir("a"), e)));
        using (LoadedModel m = ModelCheckpoint.Load(r.ModelPath!))
        {
            Assert.Equal(Model, m.Config);
            Assert.Equal("model", m.Metadata["repro.kind"]);
        }
        using (LoadedModel ema = ModelCheckpoint.Load(r.EmaPath!))
            Assert.Equal("ema", ema.Metadata["repro.kind"]);
        JObject metrics = JObject.Parse(File.ReadAllText(r.MetricsPath!));
        Assert.Equal(3, ((JArray)metrics["epochs"]!).Count);
        Assert.Equal(Sha(r.ModelPath!), (string)metrics["model"]!["sha256"]!);
        Assert.Equal(18L, (long)metrics["ema"]!["updates"]!); // 96/16 = 6 steps × 3 epochs
        Assert.NotNull(metrics["final"]!["testAccuracy"]);
        Assert.True((double)metrics["epochs"]![0]!["samplesPerSecond"]! > 0);
        Assert.Empty(Directory.GetFiles(Dir("a"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void TwoRunsWriteByteIdenticalCheckpoints()
    {
        TrainResult a = Run(Dir("a")), b = Run(Dir("b"));
        Assert.Equal(Sha(a.ModelPath!), Sha(b.ModelPath!));
        Assert.Equal(Sha(a.EmaPath!), Sha(b.EmaPath!));
        Assert.Equal(Sha(EpochStateFile.PathFor(Dir("a"), 2)), Sha(EpochStateFile.PathFor(Dir("b"), 2)));
        TrainResult c = Run(Dir("c"), Config() with { Seed = 6 });
        Assert.NotEqual(Sha(a.ModelPath!), Sha(c.ModelPath!));
    }

    [Fact]
    public void StopAndResumeWritesTheSameCheckpointAsAnUninterruptedRun()
    {
        TrainResult whole = Run(Dir("whole"));
        TrainResult first = Run(Dir("part"), stopAfter: 1);
        Assert.False(first.Completed);
        Assert.False(File.Exists(Path.Combine(Dir("part"), TrainingRun.ModelFile)));
        TrainResult rest = Run(Dir("part"), resume: EpochStateFile.PathFor(Dir("part"), 1));
        Assert.True(rest.Completed);
        Assert.Equal(Sha(whole.ModelPath!), Sha(rest.ModelPath!));
        Assert.Equal(Sha(whole.EmaPath!), Sha(rest.EmaPath!));
        Assert.Equal(Sha(EpochStateFile.PathFor(Dir("whole"), 3)), Sha(EpochStateFile.PathFor(Dir("part"), 3)));
        // The resumed run reports all epochs; the restored one has no timing.
        Assert.Equal(new[] { 1, 2, 3 }, rest.Metrics.Select(m => m.Epoch));
        Assert.Null(rest.Metrics[0].TrainSeconds);
        Assert.Equal(whole.Metrics.Select(m => m.TestAccuracy), rest.Metrics.Select(m => m.TestAccuracy));
    }

    [Fact]
    public void AThreadCountChangeStillResumes()
    {
        Run(Dir("a"), stopAfter: 1);
        Assert.True(Run(Dir("a"), Config() with { Threads = 2 }, resume: EpochStateFile.PathFor(Dir("a"), 1)).Completed);
    }

    [Fact]
    public void ResumingUnderAnotherConfigIsBadInputNamingTheDifference()
    {
        Run(Dir("a"), stopAfter: 1);
        string state = EpochStateFile.PathFor(Dir("a"), 1);
        var e = Assert.Throws<BadInputException>(() => Run(Dir("b"), Config() with { Lr = 0.2 }, resume: state));
        Assert.Equal($"--resume {state}: written by a run with a different config (train.lr is 0.1 there, 0.2 here); resume only with the config that wrote it", e.Message);
        var epochs = Assert.Throws<BadInputException>(() => Run(Dir("b"), Config() with { Epochs = 4 }, resume: state));
        Assert.Contains("train.epochs is 3 there, 4 here", epochs.Message);
        Assert.False(Directory.Exists(Dir("b")), "a refused resume must not create the output folder");
    }

    [Fact]
    public void ResumingFromSomethingThatIsNotAnEpochStateIsBadInput()
    {
        TrainResult r = Run(Dir("a"));
        var e = Assert.Throws<BadInputException>(() => Run(Dir("b"), resume: r.ModelPath));
        Assert.Contains("not an epoch state", e.Message);
        string junk = Path.Combine(_root, "junk.safetensors");
        File.WriteAllBytes(junk, new byte[] { 1, 2, 3 });
        Assert.Throws<BadInputException>(() => Run(Dir("b"), resume: junk));
        Assert.Throws<BadInputException>(() => Run(Dir("b"), resume: Path.Combine(_root, "missing.safetensors")));
    }

    [Fact]
    public void LabelsOutsideTheClassesAreBadInputBeforeAnythingIsWritten()
    {
        var bad = new LabeledImages("synthetic:bad", Train.Images, Train.Labels.clone().index_fill_(0, tensor(new long[] { 7 }), 3));
        var e = Assert.Throws<BadInputException>(() => Run(Dir("a"), train: bad));
        Assert.Equal("train data synthetic:bad: label 3 at sample 7 is outside [0, 3) (model.numClasses 3)", e.Message);
        Assert.False(Directory.Exists(Dir("a")));
    }

    [Fact]
    public void ImagesWithOtherChannelsThanTheModelAreBadInput()
    {
        var rgb = TinyNet.Data.Make(32, channels: 3);
        var e = Assert.Throws<BadInputException>(() => Run(Dir("a"), train: rgb));
        Assert.Contains("images have 3 channel(s) but the model takes 1 (model.inChannels)", e.Message);
    }

    [Fact]
    public void ARerunReplacesStaleOutputsAndAStoppedRunLeavesNone()
    {
        Run(Dir("a"));
        Run(Dir("a"), stopAfter: 2);
        Assert.False(File.Exists(Path.Combine(Dir("a"), TrainingRun.MetricsFile)));
        Assert.False(File.Exists(Path.Combine(Dir("a"), TrainingRun.ModelFile)));
    }
}
