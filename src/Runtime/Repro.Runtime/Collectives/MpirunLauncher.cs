using System.Diagnostics;
using System.Reflection;

namespace Repro.Runtime.Collectives;

/// <summary>
/// Starts this same command under Open MPI's mpirun for <c>--ranks N</c>: every rank runs the
/// same command line (options forwarded untouched, <c>--ranks</c> included so each rank checks
/// the world it finds), and this process waits, relays mpirun's stderr and returns its exit code.
/// </summary>
public static class MpirunLauncher
{
    /// <summary>The Debian package that provides mpirun.</summary>
    public const string DebianPackage = "openmpi-bin";

    /// <summary>True when <c>--ranks</c> asks for more than one rank and no launcher has started them yet.</summary>
    public static bool NeedsLaunch(int? ranks, MpiLaunch? launch) => ranks is > 1 && launch is null;

    /// <summary>mpirun's path from <paramref name="pathVariable"/> (a PATH value).</summary>
    public static string FindMpirun(int ranks, string? pathVariable)
    {
        foreach (string dir in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "mpirun");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new BadInputException(
            $"--ranks {ranks}: mpirun not found on PATH; install Open MPI's launcher (Debian: apt-get install {DebianPackage} {MpiLibrary.DebianDevPackage})");
    }

    /// <summary>
    /// mpirun's arguments. The flags, and why:
    /// <list type="bullet">
    /// <item><c>--allow-run-as-root</c>: mpirun refuses to start as root without it (containers, CI).</item>
    /// <item><c>--oversubscribe</c>: allow more ranks than cores (tests run 3 ranks on 2 cores).</item>
    /// <item><c>--bind-to none</c>: Open MPI pins each rank to one core when np ≤ 2, which starves libtorch's threads.</item>
    /// <item><c>-x TERM=dumb</c>: keeps .NET from writing terminal escapes into mpirun's piped output.</item>
    /// <item><c>-x VAR</c>: forwards the environment that matters to ranks on other nodes too.</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<string> Arguments(int ranks, bool asRoot, IEnumerable<string> forwardedVariables, IEnumerable<string> command)
    {
        var args = new List<string>();
        if (asRoot)
            args.Add("--allow-run-as-root");
        args.AddRange(["-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--bind-to", "none", "-x", "TERM=dumb"]);
        foreach (string variable in forwardedVariables)
            args.AddRange(["-x", variable]);
        args.AddRange(command);
        return args;
    }

    /// <summary>
    /// Environment to forward with <c>-x</c>: the names of set variables that Repro, .NET or the
    /// loader read, plus OMP_NUM_THREADS=cores/ranks when the user did not choose, so that N
    /// ranks on one machine share its cores instead of each starting one thread per core.
    /// </summary>
    public static IReadOnlyList<string> ForwardedVariables(int ranks, IDictionary<string, string?> environment, int processorCount)
    {
        var names = environment.Keys
            .Where(k => k.StartsWith("REPRO_", StringComparison.Ordinal) || k.StartsWith("DOTNET_", StringComparison.Ordinal)
                        || k is "PATH" or "LD_LIBRARY_PATH" or "OMP_NUM_THREADS")
            .Where(k => !string.IsNullOrEmpty(environment[k]))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (!names.Contains("OMP_NUM_THREADS"))
            names.Add($"OMP_NUM_THREADS={Math.Max(1, processorCount / ranks)}");
        return names;
    }

    /// <summary>The command line that started this process (the dotnet host and entry assembly, or the apphost), without its arguments.</summary>
    public static IReadOnlyList<string> CurrentProgram()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        bool viaDotnet = Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        string? entry = Assembly.GetEntryAssembly()?.Location;
        return viaDotnet && !string.IsNullOrEmpty(entry) ? [host, entry] : [host];
    }

    /// <summary>Runs <paramref name="programArguments"/> of this program on <paramref name="ranks"/> ranks; returns mpirun's exit code.</summary>
    public static int Run(int ranks, IReadOnlyList<string> programArguments, TextWriter stderr)
    {
        string mpirun = FindMpirun(ranks, Environment.GetEnvironmentVariable("PATH"));
        // Fail here, once, rather than once per rank.
        _ = MpiLibrary.Handle;

        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        var args = Arguments(ranks, Environment.UserName == "root", ForwardedVariables(ranks, environment, Environment.ProcessorCount),
            CurrentProgram().Concat(programArguments));

        var psi = new ProcessStartInfo(mpirun) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string arg in args)
            psi.ArgumentList.Add(arg);

        var filter = new MpirunStderrFilter(stderr);
        using var process = new Process { StartInfo = psi };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) filter.Line(e.Data); };

        // Ctrl-C reaches mpirun too (same process group); stay alive until it has stopped its ranks.
        ConsoleCancelEventHandler keepWaiting = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += keepWaiting;
        try
        {
            process.Start();
            process.BeginErrorReadLine();
            process.WaitForExit();
        }
        finally
        {
            Console.CancelKeyPress -= keepWaiting;
        }
        filter.Complete(process.ExitCode, mpirun + " " + string.Join(' ', args));
        return process.ExitCode;
    }
}
