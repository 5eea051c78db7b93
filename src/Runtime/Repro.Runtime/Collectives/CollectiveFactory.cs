namespace Repro.Runtime.Collectives;

/// <summary>
/// The one place that decides how ranks talk: MPI when an MPI launcher started this process,
/// otherwise a single process. Starting the launcher for <c>--ranks N</c> is the CLI's job
/// (<see cref="MpirunLauncher"/>); by the time this runs, the ranks exist.
/// </summary>
public static class CollectiveFactory
{
    /// <summary>The collective for this process; <paramref name="ranks"/> is the <c>--ranks</c> option, null when not given.</summary>
    public static ICollective Create(int? ranks = null) => Create(ranks, MpiLaunch.Detect());

    public static ICollective Create(int? ranks, MpiLaunch? launch)
    {
        if (ranks is < 1)
            throw new BadInputException($"--ranks {ranks}: must be at least 1");
        if (launch is null)
        {
            if (ranks is > 1)
                throw new BadInputException($"--ranks {ranks}: no MPI launcher started this process; run it under mpirun -np {ranks}, or let repro start mpirun");
            return SingleProcessCollective.Instance;
        }
        if (ranks is int wanted && launch.Size is int started && wanted != started)
            throw new BadInputException($"--ranks {wanted} does not match the {started} ranks {launch.Launcher} started");
        return MpiCollective.Initialize(launch);
    }
}
