using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Repro.Runtime.Collectives;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// `repro mpi-check`: proves that the collective Precise BN relies on works on this machine or
/// cluster, before a long job depends on it. Every rank checks that sums are exact, that all ranks
/// hold bit-identical results, that max and broadcast work, and rank 0 reports the timings.
/// </summary>
public sealed class MpiCheckCommand : Command<MpiCheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--ranks <N>")]
        [Description("Number of ranks; starts mpirun when not already under an MPI launcher.")]
        public int? Ranks { get; init; }

        [CommandOption("--elements <N>")]
        [Description("Length of the buffers reduced (float64 and int64).")]
        [DefaultValue(1_000_000)]
        public int Elements { get; init; } = 1_000_000;

        public override Spectre.Console.ValidationResult Validate() =>
            Elements < 1
                ? Spectre.Console.ValidationResult.Error($"--elements {Elements}: must be at least 1")
                : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        RankedRun.Execute(settings.Ranks, collective => Check(collective, settings.Elements));

    private static Action Check(ICollective c, int n)
    {
        int ranks = c.Size;
        long triangle = (long)ranks * (ranks + 1) / 2;

        // Exactness: rank r contributes (r+1)·(i mod 4093 + 1/2). Every partial sum is a small
        // multiple of 1/2, exactly representable, so the result must equal the closed form in any order.
        var exact = new double[n];
        for (int i = 0; i < n; i++)
            exact[i] = (c.Rank + 1) * (i % 4093 + 0.5);
        var total = Stopwatch.StartNew();
        var reduce = Stopwatch.StartNew();
        c.AllReduceSum(exact);
        reduce.Stop();
        for (int i = 0; i < n; i++)
        {
            if (exact[i] != triangle * (i % 4093 + 0.5))
                throw new InvalidOperationException($"float64 sum wrong at element {i}: {exact[i]:R}, expected {triangle * (i % 4093 + 0.5):R}");
        }

        // Agreement: rounding makes sums of random doubles depend on order; every rank must still hold the same bits.
        var random = new double[n];
        var rng = new Random(1234 + c.Rank);
        for (int i = 0; i < n; i++)
            random[i] = rng.NextDouble() * Math.Pow(2, rng.Next(-20, 20));
        var second = Stopwatch.StartNew();
        c.AllReduceSum(random);
        second.Stop();
        byte[] digest = SHA256.HashData(MemoryMarshal.AsBytes(random.AsSpan()));
        byte[] rootDigest = (byte[])digest.Clone();
        c.Broadcast(rootDigest, root: 0);
        if (!rootDigest.AsSpan().SequenceEqual(digest))
            throw new InvalidOperationException("float64 sum of random values differs from rank 0's bit for bit");

        // int64 beyond 32 bits, and max.
        var counts = new long[n];
        var maxima = new long[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = (1L << 40) + (long)(c.Rank + 1) * i;
            maxima[i] = (long)c.Rank * 1_000_003 - i;
        }
        c.AllReduceSum(counts);
        c.AllReduceMax(maxima);
        for (int i = 0; i < n; i++)
        {
            if (counts[i] != ranks * (1L << 40) + triangle * i)
                throw new InvalidOperationException($"int64 sum wrong at element {i}: {counts[i]}");
            if (maxima[i] != (long)(ranks - 1) * 1_000_003 - i)
                throw new InvalidOperationException($"int64 max wrong at element {i}: {maxima[i]}");
        }
        c.Barrier();
        total.Stop();

        string world = c is MpiCollective mpi ? $"{ranks} ({mpi.Launcher}; {mpi.LibraryVersion})" : "1 (single process, no MPI)";
        return () =>
        {
            Console.WriteLine($"ranks              {world}");
            Console.WriteLine($"sum float64        {n:N0} elements, exact, bit-identical on every rank");
            Console.WriteLine($"sum int64          {n:N0} elements, exact");
            Console.WriteLine($"max int64          {n:N0} elements, exact");
            Console.WriteLine("broadcast          ok");
            Console.WriteLine($"all-reduce time    {reduce.Elapsed.TotalMilliseconds:F2} ms first (connections set up), {second.Elapsed.TotalMilliseconds:F2} ms next, for {Size(n * 8L)} of float64 (rank 0)");
            Console.WriteLine($"all checks         {total.Elapsed.TotalMilliseconds:F1} ms");
            Console.WriteLine("mpi-check: ok");
        };
    }

    private static string Size(long bytes) => bytes >= 1_000_000 ? $"{bytes / 1e6:F1} MB" : $"{bytes / 1e3:F1} kB";
}
