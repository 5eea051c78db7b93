using System.Reflection;
using TorchSharp;

namespace Repro.Runtime.Devices;

/// <summary>Facts about the loaded libtorch, and the process-wide settings that determinism needs.</summary>
public static class TorchRuntime
{
    /// <summary>The TorchSharp assembly's informational version, e.g. 0.107.0.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The Repro runtime's own version; part of every stage key.</summary>
    public static string ReproVersion =>
        typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? "0.0.0";

    /// <summary>
    /// Pins the intra-op and inter-op thread pools. libtorch's CPU reductions split work by thread
    /// count, so results are bit-reproducible only for a fixed count.
    /// </summary>
    public static void SetThreads(int threads)
    {
        if (threads <= 0)
            throw new BadInputException($"--threads {threads}: must be at least 1.");
        torch.set_num_threads(threads);
        try { torch.set_num_interop_threads(threads); }
        catch (Exception) { /* can only be set once per process, before any parallel work; harmless if already set */ }
    }
}
