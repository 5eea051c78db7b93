using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.IO;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// Remembers each file's SHA-256 keyed by (full path, size, mtime), the way git's index does, so a
/// no-op build stats big checkpoints and datasets instead of reading them. A file whose mtime is
/// not safely older than the moment its hash was recorded is hashed again ("racy git"): a write
/// in the same clock tick as the hash would otherwise go unnoticed.
/// </summary>
public sealed class FileHashMemo
{
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);
    private readonly string? _path;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _dirty;

    private sealed record Entry(long Size, long MtimeTicks, string Sha256, long RecordedTicks);

    /// <summary>Files actually read since this memo was loaded (tests and logs use it).</summary>
    public int FilesHashed { get; private set; }

    /// <param name="path">Where the memo persists; null keeps it in memory only.</param>
    public FileHashMemo(string? path)
    {
        _path = path;
        if (path != null && File.Exists(path))
            Load(path);
    }

    public FileDigest Hash(string file)
    {
        string full = Path.GetFullPath(file);
        var info = new FileInfo(full);
        if (!info.Exists)
            throw new FileNotFoundException($"{full}: file not found", full);
        long mtime = info.LastWriteTimeUtc.Ticks;
        lock (_gate)
        {
            if (_entries.TryGetValue(full, out var e) && e.Size == info.Length && e.MtimeTicks == mtime
                && mtime < e.RecordedTicks - RacyWindow.Ticks)
                return new FileDigest(e.Sha256, e.Size);
        }
        long recorded = DateTime.UtcNow.Ticks;
        string sha = ContentHash.OfFile(full);
        // Stat again: if the file changed while we read it, the digest belongs to no stable state.
        var after = new FileInfo(full);
        lock (_gate)
        {
            FilesHashed++;
            if (after.Length == info.Length && after.LastWriteTimeUtc.Ticks == mtime)
            {
                _entries[full] = new Entry(info.Length, mtime, sha, recorded);
                _dirty = true;
            }
        }
        return new FileDigest(sha, info.Length);
    }

    /// <summary>Records a digest the caller has just verified (a restore from the cache), so the next build need not read the file.</summary>
    public void Remember(string file, string sha256)
    {
        string full = Path.GetFullPath(file);
        var info = new FileInfo(full);
        if (!info.Exists) return;
        lock (_gate)
        {
            _entries[full] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, sha256, DateTime.UtcNow.Ticks);
            _dirty = true;
        }
    }

    /// <summary>Writes the memo if anything changed. Losing a race with another build only costs a re-hash later.</summary>
    public void Save()
    {
        if (_path == null) return;
        JObject root;
        lock (_gate)
        {
            if (!_dirty) return;
            var entries = new JObject();
            foreach (var (file, e) in _entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!File.Exists(file)) continue;
                entries[file] = new JObject
                {
                    ["size"] = e.Size,
                    ["mtime"] = e.MtimeTicks,
                    ["sha256"] = e.Sha256,
                    ["recorded"] = e.RecordedTicks,
                };
            }
            root = new JObject { ["version"] = 1, ["files"] = entries };
            _dirty = false;
        }
        AtomicFile.WriteAllText(_path, root.ToString(Formatting.Indented));
    }

    private void Load(string path)
    {
        try
        {
            var root = JObject.Parse(File.ReadAllText(path));
            if ((int?)root["version"] != 1 || root["files"] is not JObject files)
                return;
            foreach (var p in files.Properties())
            {
                if (p.Value is not JObject o) continue;
                string? sha = (string?)o["sha256"];
                if (!ContentHash.IsWellFormed(sha)) continue;
                _entries[p.Name] = new Entry((long?)o["size"] ?? -1, (long?)o["mtime"] ?? -1, sha!, (long?)o["recorded"] ?? 0);
            }
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidCastException or FormatException)
        {
            // A damaged memo is only a lost optimisation: start empty and rewrite it.
            _entries.Clear();
            _dirty = true;
        }
    }
}

/// <summary>A file's content digest and size.</summary>
public readonly record struct FileDigest(string Sha256, long Size);
