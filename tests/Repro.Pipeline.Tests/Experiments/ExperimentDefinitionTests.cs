using Repro.Pipeline.Experiments;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests.Experiments;

public class ExperimentDefinitionTests
{
    private static readonly string Tiny = TempExperiment.TinyExperimentJson;

    [Fact]
    public void LoadsTheTinyAndTheDefaultExperiment()
    {
        var tiny = ExperimentDefinition.Parse(Tiny, "/x/experiment.json");
        Assert.Equal("tiny", tiny.Name);
        Assert.StartsWith("synthetic:", tiny.TrainData);
        var def = ExperimentDefinition.Load(Path.Combine(TempExperiment.RepoRoot, "experiments", "fashion-mnist-resnet", "experiment.json"));
        Assert.Equal("fashion-mnist:train", def.TrainData);
        var pipeline = ExperimentPipeline.Create(def, PipelineOverrides.None);
        Assert.Equal(8192, (int)pipeline[StageName.PreciseBn].Parameters["samples"]!);
        Assert.Equal(2, pipeline.Execution.Threads);
    }

    [Fact]
    public void UnknownTopLevelKeyIsBadInputWithItsLine()
    {
        string json = Tiny.Replace("\"description\"", "\"descripton\"");
        var e = Assert.Throws<BadInputException>(() => ExperimentDefinition.Parse(json, "/x/experiment.json"));
        Assert.Equal("/x/experiment.json(line 3): unknown key 'descripton' (sections: name, description, data, model, train, preciseBn, ema).", e.Message);
    }

    [Fact]
    public void UnknownRecalibrationKeyIsBadInput()
    {
        string json = Tiny.Replace("\"estimator\": \"population\"\n  },\n  \"ema\"", "\"estimator\": \"population\", \"momentum\": 0.1\n  },\n  \"ema\"");
        var e = Assert.Throws<BadInputException>(() => ExperimentPipeline.Create(ExperimentDefinition.Parse(json, "/x/e.json"), PipelineOverrides.None));
        Assert.Contains("unknown key 'preciseBn.momentum'", e.Message);
    }

    [Fact]
    public void DuplicateKeysAndTrailingTextAreBadInput()
    {
        Assert.Contains("invalid JSON", Assert.Throws<BadInputException>(() =>
            ExperimentDefinition.Parse(Tiny.Replace("\"name\": \"tiny\",", "\"name\": \"tiny\", \"name\": \"again\","), "/x/e.json")).Message);
        Assert.StartsWith("/x/e.json", Assert.Throws<BadInputException>(() => ExperimentDefinition.Parse(Tiny + "{}", "/x/e.json")).Message);
    }

    [Fact]
    public void CommentsAreAllowed()
    {
        var e = ExperimentDefinition.Parse("// header\n" + Tiny.Replace("\"train\": {", "\"train\": { /* why */"), "/x/e.json");
        Assert.Equal(1, (int)e.Train["epochs"]!);
    }

    [Theory]
    [InlineData("NumSamples", "0", "NumSamples '0': must be an integer of at least 1.")]
    [InlineData("NumSamples", "many", "NumSamples 'many': must be an integer of at least 1.")]
    [InlineData("Estimator", "median", "Estimator 'median': unknown estimator; use population or mean-of-batch-var.")]
    [InlineData("Device", "tpu", "Device 'tpu': unknown device; use auto, cpu, cuda or cuda:N.")]
    [InlineData("Ranks", "-2", "Ranks '-2': must be an integer of at least 1.")]
    public void BadOverridesNameTheProperty(string property, string value, string message)
    {
        var e = Assert.Throws<BadInputException>(() => property switch
        {
            "NumSamples" => PipelineOverrides.FromStrings(numSamples: value),
            "Estimator" => PipelineOverrides.FromStrings(estimator: value),
            "Device" => PipelineOverrides.FromStrings(device: value),
            _ => PipelineOverrides.FromStrings(ranks: value),
        });
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OverridesReachTheStagesTheyConcern()
    {
        var e = ExperimentDefinition.Parse(Tiny, "/x/e.json");
        var p = ExperimentPipeline.Create(e, PipelineOverrides.FromStrings(numSamples: "128", batchSize: "32", estimator: "mean-of-batch-var", threads: "3"));
        foreach (var s in new[] { StageName.PreciseBn, StageName.Ema })
        {
            Assert.Equal(128, (int)p[s].Parameters["samples"]!);
            Assert.Equal(32, (int)p[s].Parameters["batchSize"]!);
            Assert.Equal("mean-of-batch-var", (string)p[s].Parameters["estimator"]!);
        }
        Assert.Equal(64, (int)p[StageName.Train].Parameters["train"]!["batchSize"]!);
        Assert.Equal(3, p.Execution.Threads);
        var args = p[StageName.PreciseBn].Arguments(new StageRunPaths(new Dictionary<string, string> { ["checkpoint"] = "/o/train/model.safetensors" }, "/s"));
        Assert.Equal(new[]
        {
            "precise-bn", "--checkpoint", "/o/train/model.safetensors", "--data", e.TrainData, "--test-data", e.TestData!,
            "--samples", "128", "--batch-size", "32", "--order", "sequential", "--seed", "0", "--estimator", "mean-of-batch-var",
            "--out", "/s/model.safetensors", "--report", "/s/report.json", "--device", "auto", "--threads", "3",
        }, args);
    }

    [Fact]
    public void RanksAboveOneArePassedToTheCli()
    {
        var p = ExperimentPipeline.Create(ExperimentDefinition.Parse(Tiny, "/x/e.json"), PipelineOverrides.FromStrings(ranks: "4"));
        var args = p[StageName.Ema].Arguments(new StageRunPaths(new Dictionary<string, string> { ["checkpoint"] = "/o/train/ema.safetensors" }, "/s"));
        Assert.Equal("4", args[args.ToList().IndexOf("--ranks") + 1]);
        Assert.Equal("/o/train/ema.safetensors", args[2]);
    }
}
