using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.IO;

namespace Repro.Pipeline.Stages;

/// <summary>
/// What one build did with one stage. Outcome: UpToDate | Restored | Ran | Failed (see <see cref="StageOutcome"/>);
/// Seconds: the time the build spent on the stage (hashing, waiting, restoring or running).
/// </summary>
public sealed record BuildSummaryEntry(
    string Experiment, string OutputDirectory, string Stage, string Target, string Outcome, double Seconds, string? Key, string Reason);

/// <summary>
/// The build summary file (ReproBuildSummaryFile): what the builds of one session did with each
/// stage. The lock record says what the outputs are and how they were first made (a restored
/// stage keeps the producing run's record, and an up-to-date stage is not written at all); only
/// this says whether the stage ran, came from the cache or was already there in *this* build,
/// which is what a front door such as Cake reports at the end. One entry per (output folder,
/// stage), the latest winning; written under an inter-process lock and replaced atomically.
/// </summary>
public static class BuildSummary
{
    public const int Schema = 1;

    public static void Record(string path, BuildSummaryEntry entry, TimeSpan lockTimeout)
    {
        string full = Path.GetFullPath(path);
        using var _ = InterProcessLock.Acquire(full + ".lock", lockTimeout);
        var entries = Read(full).Where(e => !(e.Stage == entry.Stage && PathsEqual(e.OutputDirectory, entry.OutputDirectory))).Append(entry);
        var root = new JObject
        {
            ["schema"] = Schema,
            ["stages"] = new JArray(entries.Select(e => new JObject
            {
                ["experiment"] = e.Experiment,
                ["outputDirectory"] = e.OutputDirectory,
                ["stage"] = e.Stage,
                ["target"] = e.Target,
                ["outcome"] = e.Outcome,
                ["seconds"] = Math.Round(e.Seconds, 3),
                ["key"] = e.Key,
                ["reason"] = e.Reason,
            })),
        };
        AtomicFile.WriteAllText(full, root.ToString(Formatting.Indented) + "\n");
    }

    /// <summary>The entries in the order the stages finished; empty when the file does not exist.</summary>
    public static IReadOnlyList<BuildSummaryEntry> Read(string path)
    {
        if (!File.Exists(path))
            return Array.Empty<BuildSummaryEntry>();
        JObject root;
        try
        {
            using var reader = new JsonTextReader(new StringReader(File.ReadAllText(path))) { DateParseHandling = DateParseHandling.None };
            root = JObject.Load(reader);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: not a Repro build summary ({e.Message.ReplaceLineEndings(" ")})");
        }
        if ((int?)root["schema"] != Schema || root["stages"] is not JArray stages)
            throw new BadInputException($"{path}: not a Repro build summary (schema {Schema} with a \"stages\" array)");
        return stages.OfType<JObject>().Select(s => new BuildSummaryEntry(
            (string?)s["experiment"] ?? "",
            (string?)s["outputDirectory"] ?? "",
            (string?)s["stage"] ?? "",
            (string?)s["target"] ?? "",
            (string?)s["outcome"] ?? "",
            s["seconds"]?.Type is JTokenType.Float or JTokenType.Integer ? (double)s["seconds"]! : 0,
            (string?)s["key"],
            (string?)s["reason"] ?? "")).ToArray();
    }

    public static BuildSummaryEntry Entry(PipelineContext context, StagePlan plan, StageOutcome outcome, TimeSpan elapsed) => new(
        context.Experiment.Name,
        context.Workspace.OutputDirectory,
        plan.Stage.Name.Id,
        plan.Stage.Name.Target,
        outcome.ToString(),
        elapsed.TotalSeconds,
        plan.Key,
        plan.Reason);

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
