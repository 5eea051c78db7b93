namespace Repro.Pipeline.Stages;

/// <summary>Diagnostic codes the engine raises itself (the MSBuild layer adds its own REPRO1xxx).</summary>
public static class EngineCodes
{
    public const string CorruptCacheEntry = "REPRO1202";
    public const string CacheStoreFailed = "REPRO1203";
    public const string LockRecordDamaged = "REPRO1204";
}
