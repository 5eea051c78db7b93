using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Cache;

/// <summary>One file of a cached stage result.</summary>
public sealed record CachedFile(string Name, string Sha256, long Size);

/// <summary>
/// A stage result in the cache: the manifest stages/&lt;key&gt;.json naming each output's object, and
/// the lock-record entry of the run that produced it (so a restore records the original run).
/// </summary>
public sealed record CacheEntry(string Key, string Stage, IReadOnlyList<CachedFile> Outputs, JObject Record);

/// <summary>The result of looking a key up: an entry, nothing, or a damaged entry and what is wrong with it.</summary>
public sealed record CacheLookup(CacheEntry? Entry, string? Problem)
{
    public static readonly CacheLookup Missing = new(null, null);
    public bool IsCorrupt => Problem != null;
}

/// <summary>A cache entry whose contents do not match its manifest.</summary>
public sealed class CacheCorruptException : Exception
{
    public CacheCorruptException(string message) : base(message) { }
}
