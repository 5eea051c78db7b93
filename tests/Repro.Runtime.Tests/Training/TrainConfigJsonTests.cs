using Newtonsoft.Json.Linq;
using Repro.Runtime.Training;

namespace Repro.Runtime.Tests.Training;

public class TrainConfigJsonTests
{
    private const string Where = "exp.json";

    private static JObject Minimal() => JObject.Parse("""{ "epochs": 2, "batchSize": 16, "lr": 0.1 }""");

    private static string Error(Action<JObject> edit)
    {
        JObject o = Minimal();
        edit(o);
        return Assert.Throws<BadInputException>(() => TrainConfigJson.Parse(o, Where)).Message;
    }

    [Fact]
    public void TheDefaultExperimentsTrainSectionParses()
    {
        string path = Path.Combine(RepoPaths.Root, "experiments", "fashion-mnist-resnet", "experiment.json");
        TrainConfig c = TrainExperiment.Load(path).Train;
        Assert.True(c.Epochs >= 1);
        Assert.True(c.Lr > 0);
    }

    [Fact]
    public void MissingOptionalKeysTakeTheDocumentedDefaults()
    {
        TrainConfig c = TrainConfigJson.Parse(Minimal(), Where);
        Assert.Equal(0.9, c.Momentum);
        Assert.Equal(LrScheduleKind.Cosine, c.Schedule);
        Assert.Equal(0.999, c.Ema.Decay);
        Assert.Equal(EmaBufferMode.Copy, c.Ema.Buffers);
        Assert.Equal(1, c.Threads);
    }

    [Fact]
    public void EveryKeyIsRead()
    {
        var o = JObject.Parse("""
            { "epochs": 4, "batchSize": 8, "lr": 0.2, "momentum": 0.8, "nesterov": true, "weightDecay": 0.001,
              "decayBnAndBias": true, "schedule": "step", "milestones": [2, 3.5], "gamma": 0.2, "warmupEpochs": 0.25,
              "labelSmoothing": 0.1, "augment": { "randomCropPadding": 4, "horizontalFlip": true }, "seed": 17,
              "threads": 3, "evalBatchSize": 500, "ema": { "decay": 0.99, "interval": 2, "warmupSteps": 100, "buffers": "average" } }
            """);
        TrainConfig c = TrainConfigJson.Parse(o, Where);
        Assert.Equal((4, 8, 0.2, 0.8, true, 0.001, true), (c.Epochs, c.BatchSize, c.Lr, c.Momentum, c.Nesterov, c.WeightDecay, c.DecayBnAndBias));
        Assert.Equal((LrScheduleKind.Step, 0.2, 0.25, 0.1), (c.Schedule, c.Gamma, c.WarmupEpochs, c.LabelSmoothing));
        Assert.Equal(new[] { 2, 3.5 }, c.Milestones);
        Assert.Equal(new AugmentConfig(4, true), c.Augment);
        Assert.Equal((17L, 3, 500), (c.Seed, c.Threads, c.EvalBatchSize));
        Assert.Equal(new EmaConfig(0.99, 2, 100, EmaBufferMode.Average), c.Ema);
        // The canonical form carries every value back.
        Assert.Equal(TrainConfigJson.ToCanonicalString(TrainConfigJson.ToCanonicalJson(c)),
            TrainConfigJson.ToCanonicalString(TrainConfigJson.ToCanonicalJson(TrainConfigJson.Parse(TrainConfigJson.ToCanonicalJson(c), Where))));
    }

    [Theory]
    [InlineData("epochs", "0", "exp.json: train.epochs must be at least 1 (got 0)")]
    [InlineData("epochs", "-3", "exp.json: train.epochs must be at least 1 (got -3)")]
    [InlineData("lr", "0", "exp.json: train.lr must be a positive number (got 0)")]
    [InlineData("lr", "-0.1", "exp.json: train.lr must be a positive number (got -0.1)")]
    [InlineData("epochs", "2.5", "exp.json: train.epochs must be an integer (got 2.5)")]
    [InlineData("lr", "\"fast\"", "exp.json: train.lr must be a number (got string \"fast\")")]
    [InlineData("schedule", "\"linear\"", "exp.json: train.schedule must be one of \"cosine\", \"step\", \"constant\" (got \"linear\")")]
    [InlineData("nesterov", "1", "exp.json: train.nesterov must be true or false (got 1)")]
    [InlineData("labelSmoothing", "1", "exp.json: train.labelSmoothing must be in [0, 1) (got 1)")]
    [InlineData("milestones", "[1]", "exp.json: train.milestones only applies to schedule \"step\" (schedule is \"cosine\")")]
    [InlineData("lr", "null", "exp.json: train.lr must not be null")]
    public void OutOfRangeOrMistypedValuesAreOneLineBadInput(string key, string json, string message)
    {
        Assert.Equal(message, Error(o => o[key] = JToken.Parse(json)));
    }

    [Theory]
    [InlineData("1", "exp.json: train.ema.decay must be in [0, 1) (got 1)")]
    [InlineData("1.5", "exp.json: train.ema.decay must be in [0, 1) (got 1.5)")]
    [InlineData("-0.01", "exp.json: train.ema.decay must be in [0, 1) (got -0.01)")]
    public void EmaDecayOutsideZeroToOneIsBadInput(string decay, string message)
    {
        Assert.Equal(message, Error(o => o["ema"] = JObject.Parse($$"""{ "decay": {{decay}} }""")));
    }

    [Fact]
    public void UnknownKeysAreBadInputAtEveryLevel()
    {
        Assert.StartsWith("exp.json: train.epoch is not a known key (known: epochs, batchSize, lr,", Error(o => o["epoch"] = 3));
        Assert.StartsWith("exp.json: train.augment.flip is not a known key", Error(o => o["augment"] = JObject.Parse("""{ "flip": true }""")));
        Assert.StartsWith("exp.json: train.ema.buffer is not a known key", Error(o => o["ema"] = JObject.Parse("""{ "buffer": "copy" }""")));
        Assert.Equal("exp.json: train.ema.buffers must be one of \"copy\", \"average\" (got \"mean\")", Error(o => o["ema"] = JObject.Parse("""{ "buffers": "mean" }""")));
    }

    [Fact]
    public void RequiredKeysMustBeThere()
    {
        Assert.Equal("exp.json: train.lr is required", Error(o => o.Remove("lr")));
        Assert.Equal("exp.json: train must be an object", Assert.Throws<BadInputException>(() => TrainConfigJson.Parse(null, Where)).Message);
    }

    [Fact]
    public void StepScheduleNeedsIncreasingMilestonesInsideTheRun()
    {
        Assert.Equal("exp.json: train.milestones must list at least one epoch for schedule \"step\"", Error(o => o["schedule"] = "step"));
        Assert.Equal("exp.json: train.milestones must be increasing", Error(o => { o["epochs"] = 5; o["schedule"] = "step"; o["milestones"] = new JArray(3, 2); }));
        Assert.Equal("exp.json: train.milestones must lie strictly between 0 and epochs 2 (got 2)", Error(o => { o["schedule"] = "step"; o["milestones"] = new JArray(2); }));
    }

    [Fact]
    public void CanonicalFormIsSortedRoundTripAndOptionallyWithoutExecutionSettings()
    {
        TrainConfig c = TrainConfigJson.Parse(Minimal(), Where) with { Lr = 0.1 + 0.2 };
        string full = TrainConfigJson.ToCanonicalString(TrainConfigJson.ToCanonicalJson(c));
        Assert.Contains("\"lr\":0.30000000000000004", full);
        Assert.Contains("\"threads\":1", full);
        JObject o = JObject.Parse(full);
        var names = o.Properties().Select(p => p.Name).ToList();
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
        string bitsOnly = TrainConfigJson.ToCanonicalString(TrainConfigJson.ToCanonicalJson(c, includeExecution: false));
        Assert.DoesNotContain("threads", bitsOnly);
        Assert.DoesNotContain("evalBatchSize", bitsOnly);
    }
}
