// Report: what the last build of an experiment left in its output folder, from the lock record and
// the stages' reports, without running anything.
public static class RunReport
{
    public static void Print(ICakeContext context, BuildParameters p)
    {
        var output = p.EffectiveOutputDir;
        var lockFile = output.CombineWithFilePath("repro.lock.json");
        if (!System.IO.File.Exists(lockFile.FullPath))
            throw new CakeException($"Report: {lockFile.FullPath} not found: {p.Experiment.Name} has not been built into {output.FullPath} yet "
                + $"(dotnet cake --target=PreciseBn --experiment={p.Experiment.Name}).");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(lockFile.FullPath));
        var stages = doc.RootElement.GetProperty("stages");
        context.Information($"{p.Experiment.Name}: {lockFile.FullPath}");
        foreach (var stage in stages.EnumerateObject().OrderBy(s => Array.IndexOf(ExperimentBuild.StageOrder, s.Name)))
        {
            var e = stage.Value;
            string key = e.TryGetProperty("key", out var k) ? k.GetString() : "";
            string source = e.TryGetProperty("source", out var s) ? s.GetString() : "run";
            string seconds = e.TryGetProperty("durationSeconds", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.Number
                ? d.GetDouble().ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s" : "";
            string completed = e.TryGetProperty("completedUtc", out var c) ? c.GetString() : "";
            var (before, after) = StageSummary.Accuracy(output, stage.Name);
            context.Information($"  {ExperimentBuild.TargetOf(stage.Name),-12} key {key.Substring(0, Math.Min(12, key.Length))}  produced by a run of {seconds} ({completed}){(source == "cache" ? ", restored from the cache here" : "")}");
            if (before != "—" || after != "—")
                context.Information($"  {"",-12} accuracy before {before}, after {after}");
            foreach (string file in new[] { "report.json", "metrics.json" })
            {
                var path = output.Combine(stage.Name).CombineWithFilePath(file);
                if (System.IO.File.Exists(path.FullPath))
                    context.Information($"  {"",-12} {path.FullPath}");
            }
        }
    }
}
