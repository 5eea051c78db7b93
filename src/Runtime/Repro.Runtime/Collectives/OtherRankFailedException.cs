namespace Repro.Runtime.Collectives;

/// <summary>
/// Thrown on the ranks that did not fail, once they learn through an agreement (a max all-reduce
/// of a failure flag) that rank <see cref="FailedRank"/> did. That rank reports its own cause and
/// aborts the job; the others stay quiet and wait to be ended, so the job reads as one message.
/// </summary>
public sealed class OtherRankFailedException(int failedRank, string message) : Exception(message)
{
    public int FailedRank { get; } = failedRank;
}
