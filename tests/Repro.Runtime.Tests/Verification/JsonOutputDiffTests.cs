using Repro.Runtime.Verification;

namespace Repro.Runtime.Tests.Verification;

public class JsonOutputDiffTests
{
    private static IReadOnlyList<JsonValueDifference> Compare(string expected, string actual)
    {
        using var dir = new Checkpoints.TempDir();
        System.IO.File.WriteAllText(dir.File("e.json"), expected);
        System.IO.File.WriteAllText(dir.File("a.json"), actual);
        return JsonOutputDiff.Compare(dir.File("e.json"), dir.File("a.json"));
    }

    [Fact]
    public void TimingsTimestampsAndAbsolutePathsAreNotResults()
    {
        var d = Compare(
            """{"run":{"startedUtc":"2026-01-01T00:00:00Z","durationSeconds":1.5,"output":"/tmp/a/staging-1/model.safetensors","samples":256},"epochs":[{"trainSeconds":3.0,"samplesPerSecond":85.3,"trainLoss":0.5}]}""",
            """{"run":{"startedUtc":"2026-05-05T10:00:00Z","durationSeconds":9.25,"output":"/home/x/staging-2/model.safetensors","samples":256},"epochs":[{"trainSeconds":4.0,"samplesPerSecond":64.0,"trainLoss":0.5}]}""");

        Assert.Empty(d);
    }

    [Fact]
    public void ResultsThatDifferAreListedByPathWithTheirDifference()
    {
        var d = Compare(
            """{"accuracy":{"before":0.75,"after":0.8125},"data":"synthetic:n=256","layers":[1,2]}""",
            """{"accuracy":{"before":0.75,"after":0.8},"data":"synthetic:n=128","layers":[1,2,3]}""");

        Assert.Equal(3, d.Count);
        Assert.Equal("$.accuracy.after", d[0].Path);
        Assert.Equal("0.8125", d[0].Expected);
        Assert.Equal("0.8", d[0].Actual);
        Assert.Equal(0.0125, d[0].AbsDifference!.Value, 12);
        Assert.Equal(new JsonValueDifference("$.data", "\"synthetic:n=256\"", "\"synthetic:n=128\"", null), d[1]);
        Assert.Equal(new JsonValueDifference("$.layers", "2 items", "3 items", null), d[2]);
    }

    [Fact]
    public void AValuePresentOnOneSideOnlyIsADifference()
    {
        var d = Compare("""{"a":1,"b":{"c":2}}""", """{"a":1}""");

        Assert.Equal(new JsonValueDifference("$.b", "{…}", "(absent)", null), Assert.Single(d));
    }

    [Fact]
    public void RelativePathsAndOtherStringsAreCompared()
    {
        Assert.Single(Compare("""{"file":"out/a.bin"}""", """{"file":"out/b.bin"}"""));
    }

    [Fact]
    public void InvalidJsonIsBadInputNamingTheFile()
    {
        var e = Assert.Throws<BadInputException>(() => Compare("{", "{}"));
        Assert.Contains("e.json", e.Message);
    }
}
