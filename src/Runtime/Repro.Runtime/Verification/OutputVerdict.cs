using Repro.Runtime.Checkpoints;

namespace Repro.Runtime.Verification;

public enum OutputMatch
{
    /// <summary>Same SHA-256.</summary>
    Identical,
    /// <summary>A JSON output whose bytes differ only in timings and paths (<see cref="JsonOutputDiff"/>).</summary>
    SameResults,
    Differs,
    /// <summary>Recorded on one side only.</summary>
    Missing,
}

/// <summary>
/// The comparison of one output file. For a difference, Tensors or Values say where (when the
/// expected file could be found to compare against), otherwise Note says why only hashes were compared.
/// </summary>
public sealed record OutputVerdict(string Stage, string Name, OutputMatch Match, string? ExpectedSha256, string? ActualSha256)
{
    public SafetensorsComparison? Tensors { get; init; }
    public IReadOnlyList<JsonValueDifference>? Values { get; init; }
    public string? Note { get; init; }
}

/// <summary>
/// One stage: its outputs' verdicts, why its key changed if it did (the outputs may still match), and
/// how the rerun ran differently (threads, device, ranks), if it did.
/// </summary>
public sealed record StageVerdict(string Stage, bool InExpected, bool InActual, string? KeyChange, IReadOnlyList<OutputVerdict> Outputs)
{
    public string? ExecutionChange { get; init; }

    public bool Reproduces => InExpected && InActual && Outputs.All(o => o.Match is OutputMatch.Identical or OutputMatch.SameResults);
}

public sealed record VerificationResult(string ExpectedLock, string ActualLock, IReadOnlyList<StageVerdict> Stages, bool AllowMissing)
{
    /// <summary>Every stage on both sides reproduces; a stage on one side only fails unless missing stages are allowed.</summary>
    public bool Passed => Stages.All(s => s.Reproduces || (AllowMissing && !(s.InExpected && s.InActual)));

    public IEnumerable<StageVerdict> Failing => Stages.Where(s => !s.Reproduces && !(AllowMissing && !(s.InExpected && s.InActual)));
}
