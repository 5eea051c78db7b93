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
    /// Pins libtorch's intra-op thread pool. libtorch's CPU kernels split reductions (BatchNorm
    /// statistics, weight gradients) into chunks by thread count, so results are bit-reproducible
    /// only for a fixed count. The inter-op pool is left alone: eager ops never use it, and
    /// <c>set_num_interop_threads</c> aborts the whole process (a C++ exception TorchSharp does
    /// not catch) once any parallel work has run.
    /// </summary>
    public static void SetThreads(int threads)
    {
        if (threads <= 0)
            throw new BadInputException($"--threads {threads}: must be at least 1.");
        torch.set_num_threads(threads);
    }
}
