using System.Diagnostics;
using Newtonsoft.Json.Linq;

namespace Repro.Bench;

/// <summary>Runs a script of bench/peers/ with Debian's python3-torch and parses its one-line JSON answer.</summary>
public static class PythonPeer
{
    public static JObject Run(BenchContext ctx, string script, string args)
    {
        if (ctx.TorchPython is null)
            throw new InvalidOperationException("python3-torch is not installed (apt-get install python3-torch)");
        string path = Path.Combine(ctx.RepoRoot, "bench", "peers", script);
        var psi = new ProcessStartInfo(ctx.TorchPython, $"\"{path}\" {args}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The peer gets exactly the threads we give it, not OpenMP's own guess.
        psi.Environment["OMP_NUM_THREADS"] = ctx.Threads.ToString();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            p.Kill(true);
            throw new TimeoutException($"{script} did not finish in 15 minutes");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (exit {p.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        string last = stdout.Trim().Split('\n').Last();
        return JObject.Parse(last);
    }

    public static double[] Doubles(JObject o, string key) => o[key]!.Values<double>().ToArray();
}
