using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Repro.Pipeline.Stages;

/// <summary>
/// The runtime a stage runs on, as it enters stage keys ("repro 0.1.0; TorchSharp 0.107.0") and
/// the lock record. Read from the CLI's assemblies without loading them, so computing a key never
/// starts libtorch. Build metadata after '+' (the commit id) is dropped: rebuilding the same
/// version must not invalidate every cached result.
/// </summary>
public sealed record RuntimeIdentity(string Text, bool HasCuda, IReadOnlyDictionary<string, string> Tools)
{
    /// <param name="cliPath">repro.dll (or the apphost beside it).</param>
    public static RuntimeIdentity FromCli(string cliPath)
    {
        string full = Path.GetFullPath(cliPath);
        string dir = Path.GetDirectoryName(full)!;
        string dll = full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? full : Path.Combine(dir, Path.GetFileNameWithoutExtension(full) + ".dll");
        if (!File.Exists(dll))
            throw new BadInputException($"ReproCliPath '{cliPath}': {dll} not found; build src/Runtime/Repro.Cli or set ReproCliPath (or ReproRuntimeVersion for a repro on PATH).");
        string repro = ProductVersion(dll);
        string torchDll = Path.Combine(dir, "TorchSharp.dll");
        string torch = File.Exists(torchDll) ? ProductVersion(torchDll) : Unknown;
        bool cuda = File.Exists(Path.Combine(dir, "libtorch_cuda.so"))
            || File.Exists(Path.Combine(dir, "runtimes", "linux-x64", "native", "libtorch_cuda.so"))
            || File.Exists(Path.Combine(dir, "torch_cuda.dll"))
            || File.Exists(Path.Combine(dir, "runtimes", "win-x64", "native", "torch_cuda.dll"));
        return Explicit($"repro {repro}; TorchSharp {torch}", cuda, new Dictionary<string, string>
        {
            ["repro"] = repro,
            ["torchsharp"] = torch,
        });
    }

    /// <summary>A version given by the user (ReproRuntimeVersion), e.g. for a `repro` on PATH.</summary>
    public static RuntimeIdentity Explicit(string text, bool hasCuda, IReadOnlyDictionary<string, string>? tools = null)
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dotnet"] = Environment.Version.ToString(),
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = text,
        };
        if (tools != null)
            foreach (var (k, v) in tools) all[k] = v;
        return new RuntimeIdentity(text, hasCuda, all);
    }

    public RuntimeIdentity WithTool(string name, string version)
    {
        var all = new SortedDictionary<string, string>(Tools.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal) { [name] = version };
        return this with { Tools = all };
    }

    /// <summary>An assembly file's product (informational) version without build metadata; "unknown" when it has none.</summary>
    public static string ProductVersion(string path)
    {
        string? v = FileVersionInfo.GetVersionInfo(path).ProductVersion;
        return string.IsNullOrWhiteSpace(v) ? Unknown : WithoutBuildMetadata(v);
    }

    public const string Unknown = "unknown";

    /// <summary>"0.1.0+3f2c…" → "0.1.0": the same version rebuilt at another commit is the same version.</summary>
    public static string WithoutBuildMetadata(string version)
    {
        int plus = version.IndexOf('+');
        return (plus >= 0 ? version[..plus] : version).Trim();
    }
}
