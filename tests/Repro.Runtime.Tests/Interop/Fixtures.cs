using System.Diagnostics;

namespace Repro.Runtime.Tests.Interop;

/// <summary>The PyTorch-written files under tests/fixtures/pytorch (see make_fixtures.py there), and Debian's PyTorch.</summary>
internal static class Fixtures
{
    public static string Dir { get; } = Path.Combine(Models.ResNetConfigTests.RepoRoot(), "tests", "fixtures", "pytorch");

    public static string File(string name) => Path.Combine(Dir, name);

    /// <summary>Debian's python3-torch lives under /usr/bin/python3; the `python3` on PATH may be another one.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs a script from the fixtures folder; returns exit code and output.</summary>
    public static (int ExitCode, string Output) RunPython(params string[] args)
    {
        Assert.True(System.IO.File.Exists(Python),
            $"{Python} is missing: the PyTorch cross-checks need Debian's python3-torch (apt-get install python3-torch; the test command's prerequisites install it)");
        var psi = new ProcessStartInfo(Python) { WorkingDirectory = Dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-B");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"python {string.Join(" ", args)} did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
