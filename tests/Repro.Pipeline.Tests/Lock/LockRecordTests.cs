using Newtonsoft.Json.Linq;
using Repro.Pipeline.Lock;
using Repro.Pipeline.Stages;

namespace Repro.Pipeline.Tests.Lock;

public class LockRecordTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-lockrec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StagesStayInPipelineOrderWhateverOrderTheyComplete()
    {
        var ws = new PipelineWorkspace(_dir, Path.Combine(_dir, "cache"));
        LockRecord.Update(ws, "x", StageName.Ema, new JObject { ["key"] = "e" }, TimeSpan.FromSeconds(5));
        LockRecord.Update(ws, "x", StageName.Train, new JObject { ["key"] = "t" }, TimeSpan.FromSeconds(5));
        LockRecord.Update(ws, "x", StageName.PreciseBn, new JObject { ["key"] = "p" }, TimeSpan.FromSeconds(5));
        var root = JObject.Parse(File.ReadAllText(ws.LockRecordPath));
        Assert.Equal(new[] { "train", "precise-bn", "ema" }, ((JObject)root["stages"]!).Properties().Select(p => p.Name));
        Assert.Equal(1, (int)root["schema"]!);
    }

    [Fact]
    public void ConcurrentUpdatesLoseNothing()
    {
        var ws = new PipelineWorkspace(_dir, Path.Combine(_dir, "cache"));
        Parallel.ForEach(StageName.All, s => LockRecord.Update(ws, "x", s, new JObject { ["key"] = s.Id }, TimeSpan.FromSeconds(10)));
        var record = LockRecord.Load(ws.LockRecordPath, "x");
        Assert.All(StageName.All, s => Assert.Equal(s.Id, (string)record.Stage(s)!["key"]!));
    }

    [Fact]
    public void DamagedRecordLoadsAsEmpty()
    {
        string path = Path.Combine(_dir, "repro.lock.json");
        File.WriteAllText(path, "{ \"schema\": 1, \"stages\": { ");
        var record = LockRecord.Load(path, "x");
        Assert.True(record.WasDamaged);
        Assert.Null(record.Stage(StageName.Train));
    }

    [Fact]
    public void DiffNamesChangedParameters()
    {
        var old = new JObject { ["key"] = "old", ["parameters"] = new JObject { ["samples"] = 8192, ["order"] = "sequential" }, ["runtime"] = "r", ["device"] = "cpu" };
        var inputs = new StageKeyInputs(StageName.PreciseBn, new JObject { ["samples"] = 4096, ["order"] = "sequential" },
            new Dictionary<string, UpstreamDigest>(), new Dictionary<string, Repro.Pipeline.Hashing.DataFingerprint>(), "r", "cpu");
        Assert.Equal("parameters changed: samples 8192 → 4096", LockRecordDiff.Describe(old, inputs));
    }
}
