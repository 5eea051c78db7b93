using Newtonsoft.Json.Linq;

namespace Repro.Bench.Figures;

/// <summary>
/// Figure 7: the default experiment's whole pipeline (train → precise-BN → checkpoint → EMA) from
/// an empty cache, as a user runs it (`dotnet build -t:Ema`), and the accuracy it reaches.
/// </summary>
public static class EndToEndFigure
{
    public static string OutputDir(BenchContext ctx) => Path.Combine(ctx.WorkDir, "e2e-out") + "/";
    public static string CacheDir(BenchContext ctx) => Path.Combine(ctx.WorkDir, "e2e-cache") + "/";
    public static string ExperimentProject(BenchContext ctx) => Path.Combine(ctx.RepoRoot, "experiments", "fashion-mnist-resnet");

    public static string BuildArgs(BenchContext ctx, string target) =>
        $"build \"{ExperimentProject(ctx)}\" -t:{target} -p:ReproOutputDir=\"{OutputDir(ctx)}\" -p:ReproCacheDir=\"{CacheDir(ctx)}\" -nologo -v:m";

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        foreach (var dir in new[] { OutputDir(ctx), CacheDir(ctx) })
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var run = BenchProcess.Run("dotnet", BuildArgs(ctx, "Ema"), ctx.RepoRoot).EnsureSuccess("dotnet build -t:Ema (default experiment)");
        yield return new BenchRow("7", "whole pipeline, default experiment", run.Seconds, "s",
            Target: TargetKind.AtMost, TargetValue: 600, Detail: "dotnet build -t:Ema from an empty cache, wall");

        var metrics = JToken.Parse(File.ReadAllText(Path.Combine(OutputDir(ctx), "train", "metrics.json")));
        if (LastTestAccuracy(metrics) is double trained)
            yield return new BenchRow("7", "test accuracy after training", 100 * trained, "%", Target: TargetKind.AtLeast, TargetValue: 90);
        foreach (var (stage, label) in new[] { ("precise-bn", "model"), ("ema", "EMA model") })
        {
            var accuracy = JObject.Parse(File.ReadAllText(Path.Combine(OutputDir(ctx), stage, "report.json")))["accuracy"];
            if (accuracy is null || accuracy.Type == JTokenType.Null) continue;
            yield return new BenchRow("7", $"test accuracy of the {label} after precise BN", 100 * accuracy.Value<double>("after"), "%",
                Target: TargetKind.AtLeast, TargetValue: 90, Detail: $"before: {100 * accuracy.Value<double>("before"):F2}%");
        }
    }

    /// <summary>The test accuracy of the last epoch in metrics.json, wherever the trainer keeps its epoch list.</summary>
    private static double? LastTestAccuracy(JToken metrics)
    {
        var epochs = metrics.Type == JTokenType.Array ? metrics : metrics["epochs"];
        var last = epochs?.LastOrDefault();
        return last?["testAccuracy"]?.Value<double?>();
    }
}
