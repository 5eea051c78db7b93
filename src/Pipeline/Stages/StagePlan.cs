using Repro.Pipeline.Cache;
using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Stages;

public enum StageStatus
{
    /// <summary>The lock record has this key and the outputs on disk match it.</summary>
    UpToDate,
    /// <summary>The cache holds this key: outputs come back without computing.</summary>
    Restore,
    /// <summary>The stage must compute.</summary>
    Run,
}

/// <summary>
/// What a build will do with one stage and why. Inputs is null only when an upstream stage must run
/// first (the key depends on its outputs); ExpectedOutputs are the output digests when known in
/// advance (up to date, or restoring), which lets a dry run plan the stages after it.
/// </summary>
public sealed record StagePlan(
    StageDefinition Stage,
    StageStatus Status,
    string Reason,
    StageKeyInputs? Inputs,
    IReadOnlyDictionary<string, FileDigest>? ExpectedOutputs,
    CacheLookup Cache)
{
    public string? Key => Inputs?.Key;

    public string StatusText => Status switch
    {
        StageStatus.UpToDate => "up to date",
        StageStatus.Restore => "restore from cache",
        _ => "to run",
    };

    public string Describe() => $"{Stage.Name.Target}: {StatusText} ({Reason})";
}
