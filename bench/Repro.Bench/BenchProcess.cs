using System.Diagnostics;
using System.Globalization;

namespace Repro.Bench;

public sealed record ProcessRun(int ExitCode, string StdOut, string StdErr, double Seconds, long? PeakRssKiB)
{
    public ProcessRun EnsureSuccess(string what) => ExitCode == 0 ? this
        : throw new InvalidOperationException($"{what} failed (exit {ExitCode}): {StdErr.Trim().Split('\n').LastOrDefault()}");
}

/// <summary>Runs a command and measures its wall time, and optionally its peak RSS through GNU time.</summary>
public static class BenchProcess
{
    private const string GnuTime = "/usr/bin/time";

    public static ProcessRun Run(string file, string args, string workingDirectory, bool measureMemory = false, TimeSpan? timeout = null)
    {
        string rssFile = Path.GetTempFileName();
        try
        {
            if (measureMemory && !File.Exists(GnuTime))
                throw new InvalidOperationException("GNU time (/usr/bin/time, Debian package 'time') is needed to measure peak RSS");
            var psi = measureMemory
                ? new ProcessStartInfo(GnuTime, $"-f %M -o \"{rssFile}\" {file} {args}")
                : new ProcessStartInfo(file, args);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            psi.WorkingDirectory = workingDirectory;
            psi.Environment["TERM"] = "dumb";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromMinutes(20);
            if (!p.WaitForExit(limit))
            {
                p.Kill(true);
                throw new TimeoutException($"{file} {args} did not finish in {limit.TotalMinutes:F0} minutes");
            }
            p.WaitForExit();
            double seconds = sw.Elapsed.TotalSeconds;
            long? rss = null;
            if (measureMemory && File.Exists(rssFile))
            {
                string text = File.ReadAllText(rssFile).Trim().Split('\n').Last();
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib)) rss = kib;
            }
            return new ProcessRun(p.ExitCode, stdout.Result, stderr.Result, seconds, rss);
        }
        finally
        {
            File.Delete(rssFile);
        }
    }

    /// <summary>The repro CLI built beside the bench.</summary>
    public static ProcessRun Repro(BenchContext ctx, string args, bool measureMemory = false) =>
        Run("dotnet", $"\"{ctx.ReproDll}\" {args}", ctx.WorkDir, measureMemory);
}
