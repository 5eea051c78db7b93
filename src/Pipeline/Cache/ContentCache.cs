using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.Hashing;
using Repro.Pipeline.IO;

namespace Repro.Pipeline.Cache;

/// <summary>
/// A content-addressed store of stage results, laid out like git's object store so that several
/// clones and CI runs can share one folder:
/// <code>
/// objects/ab/abcdef…   file contents by SHA-256, read-only
/// stages/&lt;key&gt;.json   manifest: output name → object, plus the producing run's record
/// locks/&lt;key&gt;.lock    one inter-process lock per stage key
/// tmp/                 objects and manifests being written
/// </code>
/// A store writes objects first and the manifest last, each by rename, so a reader sees a complete
/// entry or none; a failed or killed run leaves at most unreferenced objects. Every restore
/// re-hashes the objects it hands out.
/// Files move in and out by copy unless <see cref="UseHardLinks"/>: a hard link shares the inode,
/// so an output edited in place (root ignores the read-only bit) would edit the cache too; the
/// restore-time hash check catches that, but copying never lets it happen.
/// </summary>
public sealed class ContentCache
{
    public const int ManifestSchema = 1;

    public ContentCache(string root, bool useHardLinks = false)
    {
        Root = Path.GetFullPath(root);
        UseHardLinks = useHardLinks;
    }

    public string Root { get; }

    /// <summary>Link instead of copy where the file system allows (large outputs, cache on the same disk).</summary>
    public bool UseHardLinks { get; }
    private string ObjectsDirectory => Path.Combine(Root, "objects");
    private string StagesDirectory => Path.Combine(Root, "stages");
    private string LocksDirectory => Path.Combine(Root, "locks");
    private string TempDirectory => Path.Combine(Root, "tmp");

    public string ObjectPath(string sha256) => Path.Combine(ObjectsDirectory, sha256[..2], sha256);
    public string ManifestPath(string key) => Path.Combine(StagesDirectory, key + ".json");

    /// <summary>Serialises work on one key across processes: the second build waits, then finds the first one's result.</summary>
    public InterProcessLock Lock(string key, TimeSpan timeout, Action? onWait = null, CancellationToken cancellationToken = default)
        => InterProcessLock.Acquire(Path.Combine(LocksDirectory, key + ".lock"), timeout, onWait, cancellationToken);

    /// <summary>Cheap checks only (manifest parses, objects exist with the right sizes); Restore verifies contents.</summary>
    public CacheLookup Find(string key)
    {
        string path = ManifestPath(key);
        if (!File.Exists(path))
            return CacheLookup.Missing;
        CacheEntry entry;
        try
        {
            entry = ParseManifest(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or InvalidCastException or FormatException or ArgumentException or NullReferenceException)
        {
            return new CacheLookup(null, $"manifest {path} is unreadable ({e.GetType().Name})");
        }
        catch (IOException e)
        {
            return new CacheLookup(null, $"manifest {path} cannot be read: {e.Message}");
        }
        if (entry.Key != key)
            return new CacheLookup(null, $"manifest {path} is for key {ContentHash.Short(entry.Key)}");
        foreach (var f in entry.Outputs)
        {
            var info = new FileInfo(ObjectPath(f.Sha256));
            if (!info.Exists)
                return new CacheLookup(entry, $"object {ContentHash.Short(f.Sha256)} for {f.Name} is missing");
            if (info.Length != f.Size)
                return new CacheLookup(entry, $"object {ContentHash.Short(f.Sha256)} for {f.Name} has {info.Length} bytes, expected {f.Size}");
        }
        return new CacheLookup(entry, null);
    }

    /// <summary>
    /// Verifies each object's hash, then copies (or links) it to its destination atomically.
    /// A mismatching object is deleted and reported; nothing is placed unless all verify.
    /// </summary>
    /// <exception cref="CacheCorruptException">An object is missing or its content does not match.</exception>
    public IReadOnlyList<PlacementMode> Restore(CacheEntry entry, IReadOnlyDictionary<string, string> destinationByName, FileHashMemo? memo = null)
    {
        var problems = new List<string>();
        foreach (var f in entry.Outputs)
        {
            string obj = ObjectPath(f.Sha256);
            if (!File.Exists(obj))
            {
                problems.Add($"object {ContentHash.Short(f.Sha256)} for {f.Name} is missing");
                continue;
            }
            string actual = ContentHash.OfFile(obj);
            if (actual != f.Sha256)
            {
                AtomicFile.TryDelete(obj);
                problems.Add($"object for {f.Name} should hash to {ContentHash.Short(f.Sha256)} but hashes to {ContentHash.Short(actual)}");
            }
        }
        if (problems.Count > 0)
            throw new CacheCorruptException(string.Join("; ", problems));
        var modes = new List<PlacementMode>();
        foreach (var f in entry.Outputs)
        {
            if (!destinationByName.TryGetValue(f.Name, out var dest))
                continue;
            modes.Add(FilePlacement.Place(ObjectPath(f.Sha256), dest, UseHardLinks));
            memo?.Remember(dest, f.Sha256);
        }
        return modes;
    }

    /// <summary>Adds the files as objects and then publishes the manifest.</summary>
    public CacheEntry Store(string key, string stage, IReadOnlyList<(string Name, string Path, FileDigest Digest)> files, JObject record)
    {
        Directory.CreateDirectory(TempDirectory);
        foreach (var (_, path, digest) in files)
            AddObject(path, digest);
        var entry = new CacheEntry(key, stage, files.Select(f => new CachedFile(f.Name, f.Digest.Sha256, f.Digest.Size)).ToArray(), record);
        var manifest = new JObject
        {
            ["schema"] = ManifestSchema,
            ["key"] = key,
            ["stage"] = stage,
            ["createdUtc"] = DateTime.UtcNow.ToString("O"),
            ["outputs"] = new JArray(entry.Outputs.Select(o => new JObject { ["name"] = o.Name, ["sha256"] = o.Sha256, ["size"] = o.Size })),
            ["record"] = record.DeepClone(),
        };
        string target = ManifestPath(key);
        Directory.CreateDirectory(StagesDirectory);
        string tmp = Path.Combine(TempDirectory, $"{key}.{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(tmp, manifest.ToString(Formatting.Indented));
            File.Move(tmp, target, overwrite: true);
        }
        finally
        {
            AtomicFile.TryDelete(tmp);
        }
        return entry;
    }

    /// <summary>Drops a damaged entry (its manifest); its objects stay if other entries may share them.</summary>
    public void Remove(string key) => AtomicFile.TryDelete(ManifestPath(key));

    private void AddObject(string path, FileDigest digest)
    {
        string obj = ObjectPath(digest.Sha256);
        // An object already there is re-hashed: storing is rare (after a real run) and must never
        // publish an entry that points at damaged bytes.
        if (File.Exists(obj))
        {
            if (new FileInfo(obj).Length == digest.Size && ContentHash.OfFile(obj) == digest.Sha256)
                return;
            AtomicFile.TryDelete(obj);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(obj)!);
        string tmp = Path.Combine(TempDirectory, $"{digest.Sha256}.{Guid.NewGuid():N}");
        try
        {
            if (!(UseHardLinks && FilePlacement.TryHardLink(path, tmp)))
                File.Copy(path, tmp);
            FilePlacement.MakeReadOnly(tmp);
            try
            {
                File.Move(tmp, obj, overwrite: false);
            }
            catch (IOException) when (File.Exists(obj))
            {
                // Another build stored the same content first: same bytes, nothing to do.
            }
        }
        finally
        {
            AtomicFile.TryDelete(tmp);
        }
    }

    private static CacheEntry ParseManifest(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        var root = JObject.Load(reader);
        if ((int?)root["schema"] != ManifestSchema)
            throw new FormatException("unknown manifest schema");
        string key = (string?)root["key"] ?? throw new FormatException("no key");
        string stage = (string?)root["stage"] ?? throw new FormatException("no stage");
        var outputs = ((JArray?)root["outputs"] ?? throw new FormatException("no outputs")).Select(o =>
        {
            string name = (string?)o["name"] ?? throw new FormatException("output without name");
            string sha = (string?)o["sha256"] ?? "";
            if (!ContentHash.IsWellFormed(sha) || name.Contains('/') || name.Contains('\\') || name.StartsWith('.'))
                throw new FormatException("malformed output");
            return new CachedFile(name, sha, (long?)o["size"] ?? throw new FormatException("output without size"));
        }).ToArray();
        return new CacheEntry(key, stage, outputs, root["record"] as JObject ?? new JObject());
    }
}
