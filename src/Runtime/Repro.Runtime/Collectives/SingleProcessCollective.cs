namespace Repro.Runtime.Collectives;

/// <summary>One rank: every reduction is the identity.</summary>
public sealed class SingleProcessCollective : ICollective
{
    public static readonly SingleProcessCollective Instance = new();

    public int Rank => 0;
    public int Size => 1;
    public void AllReduceSum(double[] buffer) => TestFailureInjection.BeforeReduction(Rank);
    public void AllReduceSum(long[] buffer) => TestFailureInjection.BeforeReduction(Rank);
    public void AllReduceMax(long[] buffer) { }
    public void Broadcast(byte[] buffer, int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), "a single process has only rank 0");
    }
    public void Barrier() { }
    public void Abort(int exitCode) => Environment.Exit(exitCode);
    public void Dispose() { }
}
