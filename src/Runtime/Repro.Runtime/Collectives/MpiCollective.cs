using System.Diagnostics;

namespace Repro.Runtime.Collectives;

/// <summary>
/// The collective over MPI_COMM_WORLD, by P/Invoke into Open MPI's libmpi. One per process: MPI
/// can be initialised once. Reductions run in place on host buffers.
/// <para>
/// Lifecycle: <see cref="Initialize"/> → operations → <see cref="Dispose"/> (MPI_Finalize) only
/// when every rank succeeded. After a failure call <see cref="Abort"/> instead: MPI_Finalize on a
/// failed rank waits for ranks that are still inside a collective, and the job hangs.
/// </para>
/// </summary>
public sealed unsafe class MpiCollective : ICollective
{
    private readonly OpenMpiNative _mpi;
    private readonly OpenMpiHandles _handles;
    private readonly Lock _gate = new();
    private readonly Stopwatch _reductionTime = new();
    private readonly Stopwatch _barrierTime = new();
    private int _reductions;
    private bool _finalized;

    private MpiCollective(OpenMpiNative mpi, OpenMpiHandles handles, int rank, int size, string libraryVersion, string launcher)
    {
        _mpi = mpi;
        _handles = handles;
        Rank = rank;
        Size = size;
        LibraryVersion = libraryVersion;
        Launcher = launcher;
    }

    public int Rank { get; }
    public int Size { get; }

    /// <summary>MPI_Get_library_version's first line, e.g. "Open MPI v4.1.4, package: Debian OpenMPI …".</summary>
    public string LibraryVersion { get; }

    /// <summary>Who started the ranks, e.g. "mpirun (Open MPI)".</summary>
    public string Launcher { get; }

    /// <summary>Wall time this rank spent inside all-reduces, including waiting there for slower ranks.</summary>
    public TimeSpan ReductionTime => _reductionTime.Elapsed;

    /// <summary>How many all-reduces this rank made.</summary>
    public int Reductions => _reductions;

    /// <summary>Wall time this rank spent inside barriers.</summary>
    public TimeSpan BarrierTime => _barrierTime.Elapsed;

    /// <summary>
    /// Initialises MPI for a process that <paramref name="launch"/> says an MPI launcher started,
    /// and checks that MPI sees the same world as the launcher: a mismatch means libmpi does not
    /// belong to that launcher (each rank would silently run alone and write its own result).
    /// </summary>
    public static MpiCollective Initialize(MpiLaunch launch)
    {
        var mpi = new OpenMpiNative(MpiLibrary.Handle);
        var handles = OpenMpiHandles.Resolve(MpiLibrary.Handle);
        string version = mpi.LibraryVersion();

        int initialized = 0;
        mpi.Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized != 0)
            throw new InvalidOperationException("MPI is already initialised in this process; create one MpiCollective per process");
        int provided = 0;
        mpi.Check(mpi.InitThread(null, null, OpenMpiNative.ThreadSerialized, &provided), "MPI_Init_thread");

        // From here on errors come back as codes (and become MpiException) instead of killing the job unexplained.
        mpi.Check(mpi.CommSetErrhandler(handles.CommWorld, handles.ErrorsReturn), "MPI_Comm_set_errhandler");
        int rank = 0, size = 0;
        mpi.Check(mpi.CommRank(handles.CommWorld, &rank), "MPI_Comm_rank");
        mpi.Check(mpi.CommSize(handles.CommWorld, &size), "MPI_Comm_size");

        // These throw without MPI_Abort: when MPI's world is not the launcher's, an abort reaches
        // only this process anyway, and a rank that exits without MPI_Finalize makes mpirun end the job.
        if (provided < OpenMpiNative.ThreadSerialized)
            throw new BadInputException($"{version} gives MPI thread level {provided}; Repro needs MPI_THREAD_SERIALIZED (2)");
        if ((launch.Size is int expected && expected != size) || launch.Rank != rank)
        {
            throw new BadInputException(
                $"MPI sees rank {rank} of {size} but {launch.Launcher} started rank {launch.Rank} of {launch.Size?.ToString() ?? "?"}: " +
                $"{version} is not the MPI of that launcher; launch with Open MPI's mpirun");
        }
        return new MpiCollective(mpi, handles, rank, size, version, launch.Launcher);
    }

    public void AllReduceSum(double[] buffer)
    {
        TestFailureInjection.BeforeReduction(Rank);
        AllReduce(buffer, _handles.Double, _handles.Sum);
    }

    public void AllReduceSum(long[] buffer)
    {
        TestFailureInjection.BeforeReduction(Rank);
        AllReduce(buffer, _handles.Int64, _handles.Sum);
    }

    public void AllReduceMax(long[] buffer) => AllReduce(buffer, _handles.Int64, _handles.Max);

    public void Broadcast(byte[] buffer, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        lock (_gate)
        {
            fixed (byte* data = buffer)
            {
                for (long offset = 0; offset < buffer.Length; offset += int.MaxValue)
                {
                    int count = (int)Math.Min(int.MaxValue, buffer.Length - offset);
                    _mpi.Check(_mpi.Bcast(data + offset, count, _handles.Byte, root, _handles.CommWorld), "MPI_Bcast");
                }
            }
        }
    }

    public void Barrier()
    {
        lock (_gate)
        {
            _barrierTime.Start();
            try
            {
                _mpi.Check(_mpi.Barrier(_handles.CommWorld), "MPI_Barrier");
            }
            finally
            {
                _barrierTime.Stop();
            }
        }
    }

    /// <summary>MPI_Abort on MPI_COMM_WORLD: the launcher kills every rank, and its exit code is <paramref name="exitCode"/>.</summary>
    public void Abort(int exitCode)
    {
        // Whatever this rank printed (its error line) must reach the launcher before the kill.
        Console.Out.Flush();
        Console.Error.Flush();
        _mpi.Abort(_handles.CommWorld, exitCode);
        // MPI_Abort does not return in Open MPI; if an MPI ever did, still never fall through.
        Environment.Exit(exitCode);
    }

    /// <summary>MPI_Finalize. Call only when every rank succeeded (see the class remarks).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_finalized)
                return;
            _finalized = true;
            _mpi.Check(_mpi.Finalize(), "MPI_Finalize");
        }
    }

    private void AllReduce<T>(T[] buffer, nint datatype, nint op) where T : unmanaged
    {
        // Every rank passes a buffer of the same length (the callers reduce fixed-size statistics),
        // so skipping an empty one is skipped on every rank alike.
        if (buffer.Length == 0)
            return;
        lock (_gate)
        {
            _reductionTime.Start();
            _reductions++;
            try
            {
                fixed (T* data = buffer)
                {
                    // MPI counts are int: reduce a huge buffer in chunks (element-wise ops, so chunking is exact).
                    for (long offset = 0; offset < buffer.Length; offset += int.MaxValue)
                    {
                        int count = (int)Math.Min(int.MaxValue, buffer.Length - offset);
                        _mpi.Check(_mpi.Allreduce((void*)OpenMpiHandles.InPlace, data + offset, count, datatype, op, _handles.CommWorld), "MPI_Allreduce");
                    }
                }
            }
            finally
            {
                _reductionTime.Stop();
            }
        }
    }
}
