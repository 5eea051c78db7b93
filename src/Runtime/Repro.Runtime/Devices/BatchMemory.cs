namespace Repro.Runtime.Devices;

/// <summary>
/// Keeps a batch loop's resident memory flat in the number of batches.
///
/// Why: besides tensors (which dispose scopes free at once), a TorchSharp forward leaves behind
/// small finalizable managed objects that own native memory. Their managed side is tiny, so the GC
/// sees no pressure and rarely runs, while glibc's heap cannot give back the pages around them once
/// libtorch's large per-batch buffers have been allocated in between. Measured on the default
/// experiment's ResNet (B=256, 1 thread): `repro precise-bn` peaked at 580 MiB for S=2048 and
/// 1260 MiB for S=32768 (≈3.6 MiB per batch) with the live-tensor count constant; a gen-0 collection
/// per batch kept it at ≈460 MiB for any S and cost nothing measurable (process CPU time went down,
/// as fewer fresh pages were touched). The native side of the same policy, glibc keeping the freed
/// activation buffers for the next batch, is <see cref="NativeHeap"/>; it is applied here so that
/// every batch loop gets both from one call.
/// </summary>
public static class BatchMemory
{
    /// <summary>Call once per batch, outside the batch's dispose scope (e.g. first thing in the loop body).</summary>
    public static void ReleaseFinishedBatches()
    {
        NativeHeap.RetainBatchBuffers();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }
}
