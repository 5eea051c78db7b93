using Repro.Runtime.Collectives;

namespace Repro.Cli;

/// <summary>
/// Runs a command on every rank, for commands that take <c>--ranks N</c>:
/// <list type="number">
/// <item>no launcher yet and N &gt; 1: start mpirun with this same command line and return its exit code;</item>
/// <item>otherwise every rank computes (reductions included), then all ranks meet at a barrier,
/// the commit point: past it no rank but 0 does anything that can fail, and only then does rank 0
/// write the outputs, so a failure anywhere leaves no output behind;</item>
/// <item>success: MPI_Finalize. A failure on any rank: that rank prints one line naming itself and
/// the cause, and calls MPI_Abort, which ends every rank at once. Never MPI_Finalize after a
/// failure: it waits for ranks that are blocked in a collective, and the job hangs.</item>
/// </list>
/// Ranks other than 0 print nothing to stdout.
/// </summary>
public static class RankedRun
{
    /// <summary>How long a rank that only learned of another rank's failure waits for that rank's abort before aborting itself.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(10);

    /// <summary><c>REPRO_MPI_TRACE=1</c>: every rank prints its time in collectives to stderr when it succeeds.</summary>
    public const string TraceVariable = "REPRO_MPI_TRACE";

    /// <param name="ranks">The <c>--ranks</c> option, null when not given (then the launcher's world is used).</param>
    /// <param name="compute">Runs on every rank; returns what rank 0 does after the commit point (writing outputs, printing a summary).</param>
    public static int Execute(int? ranks, Func<ICollective, Action> compute)
    {
        if (ranks is < 1)
            throw new BadInputException($"--ranks {ranks}: must be at least 1");
        MpiLaunch? launch = MpiLaunch.Detect();
        if (MpirunLauncher.NeedsLaunch(ranks, launch))
            return MpirunLauncher.Run(ranks!.Value, Environment.GetCommandLineArgs().Skip(1).ToArray(), Console.Error);

        ICollective collective = CollectiveFactory.Create(ranks, launch);
        if (collective is not MpiCollective mpi)
        {
            // One process: exceptions take the ordinary way out through CliErrors.
            compute(collective)();
            return CliErrors.Ok;
        }

        if (mpi.Rank != 0)
            Console.SetOut(TextWriter.Null);
        try
        {
            Action writeOnRankZero = compute(mpi);
            mpi.Barrier();
            if (mpi.Rank == 0)
                writeOnRankZero();
        }
        catch (OtherRankFailedException e)
        {
            // The failed rank prints its cause and aborts us all; aborting first could kill it before it prints.
            Thread.Sleep(AbortGrace);
            Console.Error.WriteLine($"repro: error: rank {mpi.Rank} of {mpi.Size}: {e.Message}");
            mpi.Abort(CliErrors.Failure);
        }
        catch (Exception e)
        {
            (int code, string message) = CliErrors.Classify(e);
            Console.Error.WriteLine($"repro: error: rank {mpi.Rank} of {mpi.Size}: {message}");
            mpi.Abort(code);
        }
        if (Environment.GetEnvironmentVariable(TraceVariable) == "1")
        {
            Console.Error.WriteLine(
                $"repro: mpi: rank {mpi.Rank} of {mpi.Size}: {mpi.Reductions} all-reduce(s) {mpi.ReductionTime.TotalMilliseconds:F1} ms, " +
                $"barrier {mpi.BarrierTime.TotalMilliseconds:F1} ms, since start {(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds:F0} ms");
        }
        mpi.Dispose();
        return CliErrors.Ok;
    }
}
