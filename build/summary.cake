// The table a run ends with: each stage, whether this run computed it or the cache had it, how long
// it took, and the held-out accuracy before and after recalibration. Outcomes come from the build
// summary the stage tasks write (ReproBuildSummaryFile), accuracies from the stages' own reports.
public static class StageSummary
{
    public sealed record Row(string Stage, string Target, string Outcome, double Seconds);

    public static IReadOnlyList<Row> Read(FilePath summaryFile, DirectoryPath outputDir)
    {
        if (!System.IO.File.Exists(summaryFile.FullPath))
            return Array.Empty<Row>();
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(summaryFile.FullPath));
        string wanted = System.IO.Path.TrimEndingDirectorySeparator(outputDir.FullPath);
        return doc.RootElement.GetProperty("stages").EnumerateArray()
            .Where(s => System.IO.Path.TrimEndingDirectorySeparator(s.GetProperty("outputDirectory").GetString()) == wanted)
            .Select(s => new Row(s.GetProperty("stage").GetString(), s.GetProperty("target").GetString(),
                s.GetProperty("outcome").GetString(), s.GetProperty("seconds").GetDouble()))
            .OrderBy(r => Array.IndexOf(ExperimentBuild.StageOrder, r.Stage))
            .ToList();
    }

    public static void Print(ICakeContext context, string title, IReadOnlyList<Row> rows, DirectoryPath outputDir)
    {
        if (rows.Count == 0)
            return;
        var table = rows.Select(r =>
        {
            var (before, after) = Accuracy(outputDir, r.Stage);
            return new[] { r.Target, Describe(r.Outcome), Duration(r.Seconds), before, after };
        }).ToList();
        var header = new[] { "Stage", "Result", "Duration", "Accuracy before", "Accuracy after" };
        int[] widths = Enumerable.Range(0, header.Length).Select(i => table.Select(t => t[i].Length).Append(header[i].Length).Max()).ToArray();
        string Line(string[] cells) => "  " + string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        string rule = "  " + new string('─', widths.Sum() + 2 * (widths.Length - 1));

        context.Information("");
        context.Information(title);
        context.Information(Line(header));
        context.Information(rule);
        foreach (var row in table)
            context.Information(Line(row));
        context.Information(rule);
        context.Information($"  ran {rows.Count(r => r.Outcome == "Ran")}, cache hits {rows.Count(r => r.Outcome is "Restored" or "UpToDate")}"
            + (rows.Any(r => r.Outcome == "Failed") ? $", failed {rows.Count(r => r.Outcome == "Failed")}" : "")
            + $"; outputs in {outputDir.FullPath}");
    }

    private static string Duration(double seconds) => seconds < 60
        ? seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture).PadLeft(4) + " s"
        : $"{(int)(seconds / 60)} min {(int)(seconds % 60):00} s";

    private static string Describe(string outcome) => outcome switch
    {
        "Ran" => "ran",
        "Restored" => "cache hit (restored)",
        "UpToDate" => "cache hit (up to date)",
        "Failed" => "FAILED",
        _ => outcome,
    };

    /// <summary>
    /// precise-bn and ema: "accuracy" {before, after} in report.json (null without labelled test data).
    /// train: the last epoch's test accuracy in metrics.json, which is the model Precise BN starts from.
    /// </summary>
    public static (string Before, string After) Accuracy(DirectoryPath outputDir, string stage)
    {
        try
        {
            if (stage is "precise-bn" or "ema")
            {
                string report = outputDir.Combine(stage).CombineWithFilePath("report.json").FullPath;
                if (!System.IO.File.Exists(report)) return ("—", "—");
                using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(report));
                if (!doc.RootElement.TryGetProperty("accuracy", out var a) || a.ValueKind != System.Text.Json.JsonValueKind.Object)
                    return ("not measured", "not measured");
                return (Percent(a.GetProperty("before").GetDouble()), Percent(a.GetProperty("after").GetDouble()));
            }
            if (stage == "train")
            {
                string metrics = outputDir.Combine("train").CombineWithFilePath("metrics.json").FullPath;
                if (!System.IO.File.Exists(metrics)) return ("—", "—");
                using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(metrics));
                if (doc.RootElement.TryGetProperty("epochs", out var epochs) && epochs.ValueKind == System.Text.Json.JsonValueKind.Array
                    && epochs.GetArrayLength() > 0
                    && epochs[epochs.GetArrayLength() - 1].TryGetProperty("testAccuracy", out var acc) && acc.ValueKind == System.Text.Json.JsonValueKind.Number)
                    return ("—", Percent(acc.GetDouble()) + " (test, last epoch)");
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or System.IO.IOException)
        {
            return ("unreadable", "unreadable");
        }
        return ("—", "—");
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " %";
}
