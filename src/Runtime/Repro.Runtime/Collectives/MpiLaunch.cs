using System.Globalization;

namespace Repro.Runtime.Collectives;

/// <summary>
/// How an MPI launcher started this process, read from the environment before MPI_Init. MPI is
/// initialised only when a launcher started us, so a plain single-process run never loads libmpi.
/// </summary>
/// <param name="Rank">This process's rank as the launcher numbered it.</param>
/// <param name="Size">The number of ranks the launcher started, when the environment says.</param>
/// <param name="Launcher">Who started us, for messages.</param>
public sealed record MpiLaunch(int Rank, int? Size, string Launcher)
{
    /// <summary>The launch described by this process's environment, or null when no MPI launcher started it.</summary>
    public static MpiLaunch? Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary>The launch described by <paramref name="env"/> (a variable lookup), or null.</summary>
    public static MpiLaunch? Detect(Func<string, string?> env)
    {
        MpiLaunch? launch = DetectUnchecked(env);
        if (launch is { Size: int size } && (size < 1 || launch.Rank >= size))
            throw new BadInputException($"{launch.Launcher} set rank {launch.Rank} of {size} ranks in the environment, which is not a valid rank");
        return launch;
    }

    private static MpiLaunch? DetectUnchecked(Func<string, string?> env)
    {
        // Open MPI's mpirun/mpiexec (orterun in 4.x, prterun in 5.x) sets these for every rank.
        if (Number(env, "OMPI_COMM_WORLD_RANK") is int ompiRank)
            return new MpiLaunch(ompiRank, Number(env, "OMPI_COMM_WORLD_SIZE"), "mpirun (Open MPI)");

        // Slurm's srun starts Open MPI ranks directly through PMIx (srun --mpi=pmix); PMIx gives
        // the rank, the step's task count is the world size. SLURM_PROCID alone is not enough: a
        // batch script that runs repro without srun has it too, and must stay single-process.
        int? slurmSize = Number(env, "SLURM_STEP_NUM_TASKS") ?? Number(env, "SLURM_NTASKS");
        bool underSrun = env("SLURM_STEP_ID") != null;
        if (Number(env, "PMIX_RANK") is int pmixRank)
            return new MpiLaunch(pmixRank, underSrun ? slurmSize : null, underSrun ? "srun (PMIx)" : "a PMIx launcher");

        // MPICH's Hydra and srun --mpi=pmi2. Only Open MPI's libmpi is bound, so such a launch is
        // caught by the size check after MPI_Init unless the launcher is Open MPI-compatible.
        if (Number(env, "PMI_RANK") is int pmiRank)
            return new MpiLaunch(pmiRank, Number(env, "PMI_SIZE") ?? (underSrun ? slurmSize : null), underSrun ? "srun (PMI)" : "a PMI launcher");

        return null;
    }

    private static int? Number(Func<string, string?> env, string name)
    {
        string? text = env(name);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new BadInputException($"environment variable {name}='{text}' is not a non-negative integer, so this MPI launch cannot be read");
        return value;
    }
}
