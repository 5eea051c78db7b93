using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Training;

/// <summary>Per-epoch metrics as JSON (camelCase): without timing in epoch states, with it in metrics.json.</summary>
public static class MetricsJson
{
    public static JObject Epoch(EpochMetrics m) => new()
    {
        ["epoch"] = m.Epoch,
        ["lr"] = m.Lr,
        ["trainLoss"] = m.TrainLoss,
        ["trainAccuracy"] = m.TrainAccuracy,
        ["trainSamples"] = m.TrainSamples,
        ["testLoss"] = m.TestLoss,
        ["testAccuracy"] = m.TestAccuracy,
        ["testSamples"] = m.TestSamples,
    };

    /// <summary>With the wall-clock figures (for metrics.json), which are null for epochs restored from a state.</summary>
    public static JObject EpochWithTiming(EpochMetrics m)
    {
        JObject o = Epoch(m);
        o["trainSeconds"] = m.TrainSeconds;
        o["evalSeconds"] = m.EvalSeconds;
        o["samplesPerSecond"] = m.SamplesPerSecond;
        return o;
    }

    public static JArray Epochs(IEnumerable<EpochMetrics> metrics) => new(metrics.Select(Epoch));

    public static IReadOnlyList<EpochMetrics> ParseEpochs(JArray a) => a.Select(t => new EpochMetrics
    {
        Epoch = (int)t["epoch"]!,
        Lr = (double)t["lr"]!,
        TrainLoss = (double)t["trainLoss"]!,
        TrainAccuracy = (double)t["trainAccuracy"]!,
        TrainSamples = (long)t["trainSamples"]!,
        TestLoss = (double?)t["testLoss"],
        TestAccuracy = (double?)t["testAccuracy"],
        TestSamples = (long)t["testSamples"]!,
    }).ToArray();
}
