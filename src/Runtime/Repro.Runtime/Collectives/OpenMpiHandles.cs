using System.Runtime.InteropServices;

namespace Repro.Runtime.Collectives;

/// <summary>
/// Open MPI's predefined handles. In Open MPI's ABI, <c>MPI_COMM_WORLD</c>, <c>MPI_DOUBLE</c>,
/// <c>MPI_SUM</c> … are macros for the addresses of exported global objects
/// (<c>&amp;ompi_mpi_comm_world</c> …), so each handle is the address of an export. MPICH's handles
/// are integer constants instead, which is why these are resolved, never hard-coded.
/// </summary>
internal sealed record OpenMpiHandles(
    nint CommWorld,
    nint Double,
    nint Int64,
    nint Byte,
    nint Sum,
    nint Max,
    nint ErrorsReturn)
{
    /// <summary><c>MPI_IN_PLACE</c> is <c>(void*)1</c> in Open MPI's mpi.h.</summary>
    public static readonly nint InPlace = 1;

    public static OpenMpiHandles Resolve(nint library) => new(
        CommWorld: Export(library, "ompi_mpi_comm_world"),
        Double: Export(library, "ompi_mpi_double"),
        // MPI_LONG_LONG_INT is C's long long: 64-bit on every platform Open MPI supports, like .NET's long.
        Int64: Export(library, "ompi_mpi_long_long_int"),
        Byte: Export(library, "ompi_mpi_byte"),
        Sum: Export(library, "ompi_mpi_op_sum"),
        Max: Export(library, "ompi_mpi_op_max"),
        ErrorsReturn: Export(library, "ompi_mpi_errors_return"));

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new BadInputException($"libmpi has no export {name}: this Open MPI is not ABI-compatible with Open MPI 3.x-5.x (Debian: {MpiLibrary.DebianLibraryPackage})");
}
