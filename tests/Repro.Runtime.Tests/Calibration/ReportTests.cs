using Newtonsoft.Json.Linq;
using Repro.Runtime.Calibration;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

public class ReportTests
{
    [Fact]
    public void TheReportCarriesPerLayerSummariesDriftRunInfoAndAccuracy()
    {
        using var model = TinyModels.SmallCnn(seed: 30);
        using var data = TinyModels.Images(10, seed: 31);
        var result = PreciseBn.Recalibrate(model, TinyModels.Batches(data, 4));
        var info = new PreciseBnRunInfo { Command = "ema", Subject = "EMA weights", Data = "synthetic:n=10", SamplesRequested = 8192, SamplesAvailable = 10, BatchSize = 4, Order = "sequential", Seed = 3 };
        var accuracy = AccuracyReport.Of("EMA weights", "synthetic:n=5", new TopOneAccuracy(2, 5), new TopOneAccuracy(4, 5));

        var report = PreciseBnReport.Build(result, info, accuracy, ["--samples 8192: the data has only 10 samples; using all 10"]);
        var json = JObject.Parse(report.ToJson());

        Assert.Equal("repro.precise-bn.report/1", (string?)json["format"]);
        Assert.Equal("ema", (string?)json["command"]);
        Assert.Equal("population", (string?)json["run"]!["estimator"]);
        Assert.Equal(10, (long)json["run"]!["samplesUsed"]!);
        Assert.Equal(8192, (long)json["run"]!["samplesRequested"]!);
        Assert.Equal(3, (long)json["run"]!["batches"]!);
        Assert.Equal(0.4, (double)json["accuracy"]!["before"]!, 12);
        Assert.Equal(0.8, (double)json["accuracy"]!["after"]!, 12);
        Assert.Contains("EMA weights", (string?)json["accuracy"]!["label"]);
        Assert.Equal(new[] { "bn1", "bn2", "bn3" }, json["layers"]!.Select(l => (string?)l["name"]));

        var bn1 = result.Layers[0];
        var layer = json["layers"]![0]!;
        Assert.Equal(10L * 6 * 6, (long)layer["elementsPerChannel"]!);
        Assert.Equal(bn1.OldMean.Max(), (double)layer["old"]!["mean"]!["max"]!, 12);
        Assert.Equal(bn1.NewVar.Min(), (double)layer["new"]!["var"]!["min"]!, 12);
        double expectedRelative = Math.Sqrt(bn1.NewMean.Zip(bn1.OldMean, (n, o) => (n - o) * (n - o)).Sum() / bn1.OldMean.Sum(o => o * o));
        Assert.Equal(expectedRelative, (double)layer["drift"]!["meanRelative"]!, 12);
        Assert.True((double)layer["drift"]!["maxMeanShiftInOldStd"]! > 0);
        Assert.Equal("--samples 8192: the data has only 10 samples; using all 10", (string?)json["notes"]![0]);
        Assert.NotNull(json["largestMeanShiftInOldStd"]!["layer"]);

        var back = PreciseBnReport.FromJson(report.ToJson());
        Assert.Equal(report.Layers.Count, back.Layers.Count);
        Assert.Equal(report.Run, back.Run);
    }

    [Fact]
    public void DriftOfAFreshZeroMeanIsNullNotInfinite()
    {
        var l = new LayerRecalibration("bn", "BatchNorm1d", 2, 1e-5, 10, 1, new double[] { 0, 0 }, new double[] { 1, 1 }, new double[] { 3, -4 }, new double[] { 4, 1 });
        var d = LayerDrift.Of(l);
        Assert.Null(d.MeanRelative);
        Assert.Equal(Math.Sqrt(9.0 / 2), d.VarRelative!.Value, 12);     // ‖(3, 0)‖ / ‖(1, 1)‖
        Assert.Equal(4 / Math.Sqrt(1 + 1e-5), d.MaxMeanShiftInOldStd, 12);
    }

    [Fact]
    public void HeldOutAccuracyCountsArgmaxHitsInEvalModeAndRestoresModes()
    {
        // A linear layer that copies its input: the prediction is the index of the largest input.
        using var model = nn.Sequential(("fc", nn.Linear(3, 3, hasBias: false)));
        using (no_grad()) ((TorchSharp.Modules.Linear)model[0]).weight.copy_(eye(3));
        model.train();
        using var inputs = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0 }).view(5, 3);
        using var labels = tensor(new long[] { 0, 1, 2, 2, 1 });
        var acc = HeldOutAccuracy.Measure(model, new[] { (inputs.narrow(0, 0, 3).clone(), labels.narrow(0, 0, 3).clone()), (inputs.narrow(0, 3, 2).clone(), labels.narrow(0, 3, 2).clone()) });
        Assert.Equal((3L, 5L), (acc.Correct, acc.Total));
        Assert.Equal(0.6, acc.Value, 12);
        Assert.True(model.training);
    }
}
