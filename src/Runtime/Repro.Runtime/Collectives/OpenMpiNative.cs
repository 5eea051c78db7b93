using System.Runtime.InteropServices;
using System.Text;

namespace Repro.Runtime.Collectives;

/// <summary>
/// The MPI functions Repro calls, bound to Open MPI's libmpi as unmanaged function pointers.
/// The library is chosen at run time (<see cref="MpiLibrary"/>), so these are looked up with
/// NativeLibrary.GetExport rather than declared with a fixed DllImport name. In Open MPI's ABI
/// every handle (MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler) is a pointer, hence nint.
/// </summary>
internal sealed unsafe class OpenMpiNative
{
    /// <summary>MPI_SUCCESS.</summary>
    public const int Success = 0;

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call MPI, one at a time (.NET may resume work on another thread).</summary>
    public const int ThreadSerialized = 2;

    /// <summary>MPI_MAX_ERROR_STRING and MPI_MAX_LIBRARY_VERSION_STRING are 256 in Open MPI's mpi.h.</summary>
    private const int MaxString = 256;

    public readonly delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<nint, int> Barrier;
    private readonly delegate* unmanaged<int, byte*, int*, int> _errorString;
    private readonly delegate* unmanaged<byte*, int*, int> _getLibraryVersion;

    public OpenMpiNative(nint library)
    {
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(library, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export(library, "MPI_Finalize");
        Abort = (delegate* unmanaged<nint, int, int>)Export(library, "MPI_Abort");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export(library, "MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(library, "MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(library, "MPI_Bcast");
        Barrier = (delegate* unmanaged<nint, int>)Export(library, "MPI_Barrier");
        _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export(library, "MPI_Error_string");
        _getLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(library, "MPI_Get_library_version");
    }

    /// <summary>Throws <see cref="MpiException"/> when <paramref name="code"/> is not MPI_SUCCESS.</summary>
    public void Check(int code, string function)
    {
        if (code != Success)
            throw new MpiException(function, code, ErrorText(code));
    }

    public string ErrorText(int code)
    {
        byte* text = stackalloc byte[MaxString + 1];
        int length = 0;
        return _errorString(code, text, &length) == Success ? Decode(text, length) : "(no description)";
    }

    /// <summary>MPI_Get_library_version's first line, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, …". Callable before MPI_Init.</summary>
    public string LibraryVersion()
    {
        byte* text = stackalloc byte[MaxString + 1];
        int length = 0;
        if (_getLibraryVersion(text, &length) != Success)
            return "unknown MPI";
        return Decode(text, length).Split('\n', 2)[0].Trim();
    }

    private static string Decode(byte* text, int length) =>
        Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MaxString)).TrimEnd('\0');

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new BadInputException($"libmpi has no function {name}: not a usable Open MPI (Debian: {MpiLibrary.DebianLibraryPackage})");
}
