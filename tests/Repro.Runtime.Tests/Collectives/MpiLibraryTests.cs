using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Collectives;

public class MpiLibraryTests
{
    [Fact]
    public void AMissingLibmpiNamesTheDebianPackage()
    {
        var e = Assert.Throws<BadInputException>(() => MpiLibrary.Load(explicitPath: null, names: ["libmpi-repro-absent.so.40"]));
        Assert.Contains("libmpi-repro-absent.so.40 (Open MPI's libmpi) not found", e.Message);
        Assert.Contains("libopenmpi3", e.Message);
        Assert.Contains(MpiLibrary.PathVariable, e.Message);
    }

    [Fact]
    public void AnExplicitPathThatDoesNotLoadNamesTheVariable()
    {
        var e = Assert.Throws<BadInputException>(() => MpiLibrary.Load("/nonexistent/libmpi.so.40"));
        Assert.StartsWith("REPRO_MPI_LIBRARY=/nonexistent/libmpi.so.40: cannot load", e.Message);
    }

    [Fact]
    public void ALibraryThatIsNotOpenMpiIsRefused()
    {
        var e = Assert.Throws<BadInputException>(() => MpiLibrary.Load(explicitPath: null, names: ["libz.so.1"]));
        Assert.Contains("libz.so.1 is not Open MPI", e.Message);
    }

    [Fact]
    public void OpenMpiOnThisMachineLoadsAndExportsItsHandles()
    {
        // openmpi-bin/libopenmpi-dev are prerequisites (build/prerequisites.cake), so libmpi.so.40 is here.
        nint library = MpiLibrary.Load(explicitPath: null);
        var handles = OpenMpiHandles.Resolve(library);
        Assert.NotEqual(0, handles.CommWorld);
        Assert.NotEqual(handles.Sum, handles.Max);
        Assert.StartsWith("Open MPI v", new OpenMpiNative(library).LibraryVersion());
    }
}
