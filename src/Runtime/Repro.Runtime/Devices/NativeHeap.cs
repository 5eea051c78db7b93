using System.Runtime.InteropServices;

namespace Repro.Runtime.Devices;

/// <summary>
/// Stops glibc from handing a batch loop's activation buffers back to the kernel after every batch.
///
/// Why: libtorch allocates each activation with posix_memalign. glibc's defaults serve a block of
/// ≥ 128 KiB with its own mmap, and when a block that large is freed it raises that threshold to the
/// block's size and the heap's trim threshold to twice that; the top of the heap is then returned to
/// the kernel (brk/madvise) whenever more than that lies free, which is what happens at the end of
/// every forward. The next batch faults every page back in, zero-filled by the kernel. Measured on
/// the bench ResNet (B=256, 1 thread, libtorch 2.10 and PyTorch 1.13 alike): ≈20k minor faults and
/// ≈40 ms of system time per forward, a quarter of the forward's CPU time. Fixing both thresholds
/// keeps up to <see cref="TrimThresholdBytes"/> of freed heap for the next batch; buffers larger than
/// <see cref="MmapThresholdBytes"/> still get their own mapping, so a larger model's retained memory
/// stays bounded. Only where memory comes from changes, never what is computed: results are the same
/// bit for bit.
/// </summary>
public static class NativeHeap
{
    /// <summary>glibc's ceiling for M_MMAP_THRESHOLD on 64-bit (HEAP_MAX_SIZE / 2).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>Freed memory at the top of a heap kept for reuse before glibc gives it back.</summary>
    public const int TrimThresholdBytes = 256 << 20;

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static int _applied;

    /// <summary>Applies the thresholds once per process; a no-op on anything but glibc Linux.</summary>
    public static void RetainBatchBuffers()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _applied, 1) == 1)
            return;
        try
        {
            // mallopt returns 1 on success; a failure leaves glibc's defaults, which are only slower.
            mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes);
            mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no mallopt: their allocator keeps its own policy.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
