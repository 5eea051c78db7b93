using Newtonsoft.Json.Linq;
using Repro.Pipeline.Cache;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.IO;

namespace Repro.Pipeline.Tests.Cache;

public class ContentCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-cache-").FullName;
    private readonly ContentCache _cache;
    private const string Key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    public ContentCacheTests() => _cache = new ContentCache(Path.Combine(_dir, "cache"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string Name, string Path, FileDigest Digest) Output(string name, string content)
    {
        string path = Path.Combine(_dir, "out", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return (name, path, new FileDigest(ContentHash.OfFile(path), new FileInfo(path).Length));
    }

    [Fact]
    public void StoredEntryIsFoundAndRestoredVerbatim()
    {
        var a = Output("model.safetensors", "weights");
        var b = Output("report.json", "{}");
        _cache.Store(Key, "precise-bn", new[] { a, b }, new JObject { ["key"] = Key });
        var lookup = _cache.Find(Key);
        Assert.False(lookup.IsCorrupt);
        Assert.Equal(new[] { "model.safetensors", "report.json" }, lookup.Entry!.Outputs.Select(o => o.Name));

        string dest = Path.Combine(_dir, "restored", "model.safetensors");
        var modes = _cache.Restore(lookup.Entry, new Dictionary<string, string> { ["model.safetensors"] = dest });
        Assert.Equal("weights", File.ReadAllText(dest));
        Assert.Equal(PlacementMode.Copy, Assert.Single(modes));
        // A copy: editing the restored file in place leaves the cache intact.
        File.WriteAllText(dest, "edited!");
        Assert.False(_cache.Find(Key).IsCorrupt);
    }

    [Fact]
    public void HardLinkModeLinksOnRestore()
    {
        var cache = new ContentCache(Path.Combine(_dir, "linked"), useHardLinks: true);
        var a = Output("model.safetensors", "weights");
        cache.Store(Key, "train", new[] { a }, new JObject());
        string dest = Path.Combine(_dir, "restored", "model.safetensors");
        var modes = cache.Restore(cache.Find(Key).Entry!, new Dictionary<string, string> { ["model.safetensors"] = dest });
        Assert.Equal(PlacementMode.HardLink, Assert.Single(modes));
        Assert.Equal("weights", File.ReadAllText(dest));
    }

    [Fact]
    public void ObjectsAreReadOnlySoOutputsCannotWriteThroughIntoTheCache()
    {
        var a = Output("model.safetensors", "weights");
        _cache.Store(Key, "train", new[] { a }, new JObject());
        var mode = File.GetUnixFileMode(_cache.ObjectPath(a.Digest.Sha256));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode);
    }

    [Fact]
    public void MissingKeyIsNotCorrupt()
    {
        var lookup = _cache.Find(Key);
        Assert.Null(lookup.Entry);
        Assert.False(lookup.IsCorrupt);
    }

    [Fact]
    public void DamagedManifestIsReportedNotThrown()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_cache.ManifestPath(Key))!);
        File.WriteAllText(_cache.ManifestPath(Key), "{ \"schema\": 1, \"key\": ");
        var lookup = _cache.Find(Key);
        Assert.True(lookup.IsCorrupt);
        Assert.Contains("unreadable", lookup.Problem);
    }

    [Fact]
    public void TruncatedObjectIsFoundByTheCheapCheck()
    {
        var a = Output("model.safetensors", "weights");
        _cache.Store(Key, "train", new[] { a }, new JObject());
        string obj = _cache.ObjectPath(a.Digest.Sha256);
        File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(obj, "w");
        Assert.Contains("has 1 bytes, expected 7", _cache.Find(Key).Problem);
    }

    [Fact]
    public void SameSizeCorruptionIsFoundOnRestoreAndNothingIsPlaced()
    {
        var a = Output("model.safetensors", "weights");
        var b = Output("report.json", "{}");
        _cache.Store(Key, "train", new[] { a, b }, new JObject());
        string obj = _cache.ObjectPath(b.Digest.Sha256);
        File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(obj, "[]");
        var entry = _cache.Find(Key).Entry!;
        string dest = Path.Combine(_dir, "restored");
        var e = Assert.Throws<CacheCorruptException>(() => _cache.Restore(entry, new Dictionary<string, string>
        {
            ["model.safetensors"] = Path.Combine(dest, "model.safetensors"),
            ["report.json"] = Path.Combine(dest, "report.json"),
        }));
        Assert.Contains("report.json", e.Message);
        Assert.False(Directory.Exists(dest));
        Assert.False(File.Exists(obj)); // the bad object is dropped so the next store replaces it
    }

    [Fact]
    public void AStoreThatFailsPartWayPublishesNoEntry()
    {
        var a = Output("model.safetensors", "weights");
        var vanished = (Name: "report.json", Path: Path.Combine(_dir, "out", "gone.json"), Digest: new FileDigest(ContentHash.OfText("x"), 1));
        Assert.ThrowsAny<IOException>(() => _cache.Store(Key, "train", new[] { a, vanished }, new JObject()));
        Assert.Null(_cache.Find(Key).Entry);
        Assert.False(File.Exists(_cache.ManifestPath(Key)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_cache.Root, "tmp")));
    }

    [Fact]
    public void ConcurrentStoresOfTheSameContentBothSucceed()
    {
        var outputs = Enumerable.Range(0, 8).Select(i => Output($"f{i}.bin", "same bytes")).ToArray();
        Parallel.ForEach(outputs, o => _cache.Store(ContentHash.OfText(o.Name), "train", new[] { o }, new JObject()));
        Assert.Single(Directory.GetFiles(Path.Combine(_cache.Root, "objects"), "*", SearchOption.AllDirectories));
        Assert.All(outputs, o => Assert.False(_cache.Find(ContentHash.OfText(o.Name)).IsCorrupt));
    }

    [Fact]
    public void AStoreReplacesADamagedObjectOfTheSameSize()
    {
        var a = Output("model.safetensors", "weights");
        _cache.Store(Key, "train", new[] { a }, new JObject());
        string obj = _cache.ObjectPath(a.Digest.Sha256);
        File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(obj, "WEIGHTS");
        _cache.Store(Key, "train", new[] { a }, new JObject());
        Assert.Equal(a.Digest.Sha256, ContentHash.OfFile(obj));
    }

    [Fact]
    public void RestoreReportsAndDropsEveryDamagedObject()
    {
        var a = Output("model.safetensors", "weights");
        var b = Output("report.json", "{}");
        _cache.Store(Key, "train", new[] { a, b }, new JObject());
        foreach (var o in new[] { a, b })
        {
            string obj = _cache.ObjectPath(o.Digest.Sha256);
            File.SetUnixFileMode(obj, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(obj, new string('#', (int)o.Digest.Size));
        }
        var e = Assert.Throws<CacheCorruptException>(() => _cache.Restore(_cache.Find(Key).Entry!, new Dictionary<string, string>()));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("report.json", e.Message);
        Assert.False(File.Exists(_cache.ObjectPath(a.Digest.Sha256)));
        Assert.False(File.Exists(_cache.ObjectPath(b.Digest.Sha256)));
    }
}
