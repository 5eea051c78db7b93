namespace Repro.Runtime.Collectives;

/// <summary>
/// The few collective operations Repro needs across ranks. Buffers live on the host: BN statistics
/// are kilobytes, so copying them off the device and reducing them with MPI costs nothing next to
/// a forward pass, and needs no NCCL.
/// </summary>
public interface ICollective : IDisposable
{
    /// <summary>This process's rank, 0-based.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>Element-wise sum across ranks, in place; every rank ends with the same values.</summary>
    void AllReduceSum(double[] buffer);

    /// <summary>Element-wise sum across ranks, in place; every rank ends with the same values.</summary>
    void AllReduceSum(long[] buffer);

    /// <summary>Element-wise maximum across ranks, in place (used to agree on a failure flag).</summary>
    void AllReduceMax(long[] buffer);

    /// <summary>Copies <paramref name="buffer"/> from <paramref name="root"/> to every rank.</summary>
    void Broadcast(byte[] buffer, int root);

    void Barrier();

    /// <summary>Ends every rank of the job now. Never returns. After a failure this, not a clean shutdown, is the way out.</summary>
    void Abort(int exitCode);
}
