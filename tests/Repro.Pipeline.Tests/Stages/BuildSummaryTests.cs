using Newtonsoft.Json.Linq;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests.Stages;

public class BuildSummaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-summary-").FullName;
    private string File1 => Path.Combine(_dir, "summary.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BuildSummaryEntry Entry(string stage, string outcome, string outputDir = "/x/out", double seconds = 1.25) =>
        new("tiny", outputDir, stage, stage == "precise-bn" ? "Recalibrate" : "Train", outcome, seconds, "k-" + stage, "why");

    [Fact]
    public void EntriesAreKeptInTheOrderStagesFinishedOnePerStageAndOutputFolder()
    {
        BuildSummary.Record(File1, Entry("train", "Ran"), TimeSpan.FromSeconds(5));
        BuildSummary.Record(File1, Entry("precise-bn", "Restored"), TimeSpan.FromSeconds(5));
        BuildSummary.Record(File1, Entry("train", "UpToDate", seconds: 0.01), TimeSpan.FromSeconds(5));
        BuildSummary.Record(File1, Entry("train", "Ran", outputDir: "/y/out"), TimeSpan.FromSeconds(5));

        var entries = BuildSummary.Read(File1);

        Assert.Equal(new[] { ("precise-bn", "Restored", "/x/out"), ("train", "UpToDate", "/x/out"), ("train", "Ran", "/y/out") },
            entries.Select(e => (e.Stage, e.Outcome, e.OutputDirectory)));
        Assert.Equal(Entry("precise-bn", "Restored"), entries[0]);
        Assert.Equal(0.01, entries[1].Seconds);
    }

    [Fact]
    public void ConcurrentRecordsLoseNothing()
    {
        Parallel.ForEach(Enumerable.Range(0, 16), i => BuildSummary.Record(File1, Entry("train", "Ran", outputDir: $"/out/{i}"), TimeSpan.FromSeconds(30)));
        Assert.Equal(16, BuildSummary.Read(File1).Count);
    }

    [Fact]
    public void AMissingFileIsEmptyAndAForeignOneIsBadInputNamingIt()
    {
        Assert.Empty(BuildSummary.Read(File1));
        File.WriteAllText(File1, new JObject { ["schema"] = 7 }.ToString());
        var e = Assert.Throws<BadInputException>(() => BuildSummary.Read(File1));
        Assert.StartsWith(File1, e.Message);
    }
}
