using System.Runtime.InteropServices;

namespace Repro.Runtime.Collectives;

/// <summary>
/// Finds and loads Open MPI's libmpi. Open MPI 3.x to 5.x all ship soname libmpi.so.40 with the
/// same handle ABI (handles are addresses of exported globals), which is what the bindings assume.
/// MPICH (libmpi.so.12) encodes handles as integers instead, so it is recognised and refused.
/// </summary>
public static class MpiLibrary
{
    /// <summary>Environment variable naming libmpi's path, for an Open MPI installed outside the loader's search path.</summary>
    public const string PathVariable = "REPRO_MPI_LIBRARY";

    /// <summary>The Debian packages behind the library and the launcher, named in error messages.</summary>
    public const string DebianLibraryPackage = "libopenmpi3";
    public const string DebianDevPackage = "libopenmpi-dev";

    private static readonly string[] DefaultNames = ["libmpi.so.40", "libmpi.so"];

    private static readonly Lazy<nint> Loaded = new(() => Load(Environment.GetEnvironmentVariable(PathVariable)));

    /// <summary>The loaded Open MPI library (loaded once per process, never unloaded: MPI state lives in it).</summary>
    public static nint Handle => Loaded.Value;

    /// <summary>Loads libmpi from <paramref name="explicitPath"/> when given, else by the loader's search; checks it is Open MPI.</summary>
    internal static nint Load(string? explicitPath, IReadOnlyList<string>? names = null)
    {
        nint handle;
        string loadedName;
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (!NativeLibrary.TryLoad(explicitPath, out handle))
                throw new BadInputException($"{PathVariable}={explicitPath}: cannot load this library (missing, or not a shared library for this machine)");
            loadedName = explicitPath;
        }
        else
        {
            names ??= DefaultNames;
            string? found = null;
            handle = 0;
            foreach (string name in names)
            {
                if (NativeLibrary.TryLoad(name, out handle)) { found = name; break; }
            }
            loadedName = found ?? throw new BadInputException(
                $"{names[0]} (Open MPI's libmpi) not found: install Debian's {DebianLibraryPackage} (apt-get install {DebianDevPackage} openmpi-bin) or set {PathVariable} to its path");
        }

        if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
        {
            string what = NativeLibrary.TryGetExport(handle, "MPIR_Err_return_comm", out _) ? "MPICH" : "not Open MPI";
            throw new BadInputException(
                $"{loadedName} is {what}; Repro's MPI support needs Open MPI's libmpi.so.40 (Debian: {DebianLibraryPackage}), selected with {PathVariable} if several MPIs are installed");
        }
        return handle;
    }
}
