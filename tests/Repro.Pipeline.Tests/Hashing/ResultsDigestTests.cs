using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Tests.Hashing;

public class ResultsDigestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-results-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Digest(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return ResultsDigest.OfFile(path)!;
    }

    [Fact]
    public void TimingsTimestampsAndAbsolutePathsDoNotChangeIt()
    {
        string a = Digest("""{"run":{"startedUtc":"2026-01-01T00:00:00Z","durationSeconds":1.5,"output":"/tmp/s1/model.safetensors"},"epochs":[{"trainSeconds":3,"samplesPerSecond":85.3,"loss":0.5}]}""");
        string b = Digest("""{ "epochs": [ { "loss": 0.50, "samplesPerSecond": 12, "trainSeconds": 9 } ], "run": { "output": "/home/u/s2/model.safetensors", "durationSeconds": 7, "startedUtc": "x" } }""");
        Assert.Equal(a, b);
    }

    [Fact]
    public void AnyResultChangesIt()
    {
        string baseline = Digest("""{"accuracy":{"before":0.75,"after":0.8125},"data":"synthetic:n=256","file":"out/a"}""");
        Assert.NotEqual(baseline, Digest("""{"accuracy":{"before":0.75,"after":0.8125000000000001},"data":"synthetic:n=256","file":"out/a"}"""));
        Assert.NotEqual(baseline, Digest("""{"accuracy":{"before":0.75,"after":0.8125},"data":"synthetic:n=128","file":"out/a"}"""));
        Assert.NotEqual(baseline, Digest("""{"accuracy":{"before":0.75,"after":0.8125},"data":"synthetic:n=256","file":"out/b"}"""));
        Assert.NotEqual(baseline, Digest("""{"accuracy":{"before":0.75,"after":0.8125},"data":"synthetic:n=256"}"""));
    }

    [Fact]
    public void ItIsTheCanonicalFormsHash()
    {
        // Keys sorted, no whitespace, the volatile value gone.
        Assert.Equal(ContentHash.OfText("""{"a":1,"b":[2,"NaN"]}"""), Digest("""{"b":[2.0,NaN],"a":1,"cSeconds":4}"""));
    }

    [Fact]
    public void AFileThatIsNotJsonHasNone()
    {
        string path = Path.Combine(_dir, "metrics.json");
        File.WriteAllText(path, "metrics seed=0");
        Assert.Null(ResultsDigest.OfFile(path));
    }
}
