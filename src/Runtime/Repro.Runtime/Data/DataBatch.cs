using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// One batch's tensors: <see cref="Images"/> float32 [B,C,H,W] and optional <see cref="Labels"/> int64 [B].
/// From a sequential plan they are views into the dataset (no copy); from a shuffled plan, one
/// gather. Created inside the caller's dispose scope, like any other tensor.
/// </summary>
public sealed class DataBatch : IDisposable
{
    public DataBatch(int index, Tensor images, Tensor? labels)
    {
        Index = index;
        Images = images;
        Labels = labels;
    }

    /// <summary>k, the batch's position in its plan.</summary>
    public int Index { get; }
    public Tensor Images { get; }
    public Tensor? Labels { get; }
    public long Count => Images.shape[0];

    /// <summary>This batch on <paramref name="device"/>; itself when it is there already.</summary>
    public DataBatch To(Device device)
    {
        if (IsOn(Images.device, device)) return this;
        return new DataBatch(Index, Images.to(device), Labels?.to(device));
    }

    // Device has no value equality; "cuda" (index -1) means the current device, 0 unless changed.
    private static bool IsOn(Device actual, Device wanted) =>
        actual.type == wanted.type && (actual.type == DeviceType.CPU || Math.Max(actual.index, 0) == Math.Max(wanted.index, 0));

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
