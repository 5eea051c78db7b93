using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>
/// A test-only fake of N ranks in one process: N threads, each with its own <see cref="ICollective"/>,
/// meeting at a barrier for every collective call. It exists to prove the reduction math (N ranks over
/// disjoint whole-batch shards equal one rank over their union); MPI itself is tested elsewhere.
/// </summary>
internal sealed class InProcessRanks
{
    private readonly int _size;
    private readonly Barrier _barrier;
    private readonly object?[] _slots;
    private object? _result;
    private Action? _combine;

    private InProcessRanks(int size)
    {
        _size = size;
        _slots = new object?[size];
        _barrier = new Barrier(size, _ => _combine!());
    }

    /// <summary>Runs <paramref name="body"/> once per rank on its own thread and returns each rank's result in rank order.</summary>
    public static T[] Run<T>(int size, Func<ICollective, T> body)
    {
        var ranks = new InProcessRanks(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try { results[rank] = body(new FakeRank(ranks, rank)); }
            catch (Exception e) { errors[rank] = e; ranks._barrier.RemoveParticipant(); }
        }, 16 * 1024 * 1024)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw new AggregateException($"a fake rank failed", errors.Where(e => e is not null)!);
        return results;
    }

    private void Exchange<T>(int rank, T[] buffer, Func<T, T, T> op)
    {
        _slots[rank] = buffer.Clone();
        // The barrier's post-phase action runs once, after every rank has deposited its buffer.
        _combine = () =>
        {
            var acc = (T[])((T[])_slots[0]!).Clone();
            for (int r = 1; r < _size; r++)
            {
                var other = (T[])_slots[r]!;
                if (other.Length != acc.Length) throw new InvalidOperationException("ranks disagree on the buffer length");
                for (int i = 0; i < acc.Length; i++) acc[i] = op(acc[i], other[i]);
            }
            _result = acc;
        };
        _barrier.SignalAndWait();
        Array.Copy((T[])_result!, buffer, buffer.Length);
        _combine = () => { };
        _barrier.SignalAndWait();
    }

    private sealed class FakeRank(InProcessRanks ranks, int rank) : ICollective
    {
        public int Rank => rank;
        public int Size => ranks._size;
        public void AllReduceSum(double[] buffer) => ranks.Exchange(rank, buffer, (a, b) => a + b);
        public void AllReduceSum(long[] buffer) => ranks.Exchange(rank, buffer, (a, b) => a + b);
        public void AllReduceMax(long[] buffer) => ranks.Exchange(rank, buffer, Math.Max);
        public void Broadcast(byte[] buffer, int root)
        {
            var copy = rank == root ? buffer : new byte[buffer.Length];
            ranks.Exchange(rank, copy, (a, b) => (byte)(a | b));
            Array.Copy(copy, buffer, buffer.Length);
        }
        public void Barrier() => ranks.Exchange(rank, Array.Empty<long>(), (a, b) => a);
        public void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted with {exitCode}");
        public void Dispose() { }
    }
}
