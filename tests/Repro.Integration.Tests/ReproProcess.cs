using System.Diagnostics;
using System.Text;

namespace Repro.Integration.Tests;

/// <summary>The result of one external command.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public string All => StdOut + StdErr;
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1}s\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs the real `repro` CLI and other tools, with a hard timeout so a hang fails the test instead of CI.</summary>
public static class ReproProcess
{
    /// <summary>The repository root (the folder holding Repro.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>repro.dll beside the test assembly (the test project references the CLI).</summary>
    public static string ReproDll { get; } = Path.Combine(AppContext.BaseDirectory, "repro.dll");

    public static ProcessResult Repro(string args, string? workingDirectory = null, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
        => Run("dotnet", $"\"{ReproDll}\" {args}", workingDirectory, timeout, env);

    public static ProcessResult Run(string fileName, string args, string? workingDirectory = null, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(fileName, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        psi.Environment["TERM"] = "dumb";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (env != null)
            foreach (var (k, v) in env) psi.Environment[k] = v;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var sw = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{fileName} {args} did not finish within {limit.TotalSeconds:F0}s\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString(), sw.Elapsed);
    }

    /// <summary>A fresh folder under the system temp dir, removed by the caller's using.</summary>
    public static TempFolder TempFolder(string prefix = "repro-test") => new(prefix);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed class TempFolder : IDisposable
{
    public string Path { get; }
    public TempFolder(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
