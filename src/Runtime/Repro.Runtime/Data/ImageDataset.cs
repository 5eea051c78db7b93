using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// A whole dataset in memory, decoded once: <see cref="Images"/> is ONE contiguous float32 tensor
/// [N,C,H,W], already normalised (see <see cref="DatasetDescription.Normalization"/>), and
/// <see cref="Labels"/> an optional int64 [N]. Batches are slices of it, never per-sample copies:
/// <code>
/// using var data = DataSource.Load("fashion-mnist:train");
/// var plan = BatchPlan.Create(data.Count, samples: 10_000, batchSize: 256, SampleOrder.Sequential);
/// foreach (PlannedBatch b in plan.ForRank(rank, worldSize))
/// {
///     using var scope = torch.NewDisposeScope();
///     DataBatch batch = data.Take(b).To(device);   // a view (sequential) or one gather (shuffle)
///     model.forward(batch.Images);
/// }
/// </code>
/// The dataset owns its tensors (they are detached from any dispose scope) and frees them on Dispose.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(Tensor images, Tensor? labels, DatasetDescription description)
    {
        if (images.dtype != ScalarType.Float32 || images.dim() != 4 || !images.is_contiguous())
            throw new ArgumentException($"images must be a contiguous float32 [N,C,H,W] tensor, got {images.dtype} [{string.Join(",", images.shape)}]", nameof(images));
        if (labels is not null && (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0]))
            throw new ArgumentException($"labels must be int64 [{images.shape[0]}], got {labels.dtype} [{string.Join(",", labels.shape)}]", nameof(labels));
        long[] expected = [description.Count, description.Channels, description.Height, description.Width];
        if (!images.shape.SequenceEqual(expected))
            throw new ArgumentException($"images [{string.Join(",", images.shape)}] disagree with the description [{string.Join(",", expected)}]", nameof(description));
        Images = images.DetachFromDisposeScope();
        Labels = labels?.DetachFromDisposeScope();
        Description = description;
    }

    /// <summary>float32 [N,C,H,W], contiguous, normalised.</summary>
    public Tensor Images { get; }
    /// <summary>int64 [N], or null for unlabelled sources.</summary>
    public Tensor? Labels { get; }
    public DatasetDescription Description { get; }
    public long Count => Description.Count;
    public Device Device => Images.device;

    /// <summary>
    /// The tensors of <paramref name="batch"/>: for a contiguous batch, <c>narrow</c> views that share
    /// the dataset's storage; for a shuffled one, one <c>index_select</c> per tensor.
    /// </summary>
    public DataBatch Take(PlannedBatch batch)
    {
        if (batch.IsContiguous)
        {
            if (batch.Offset + batch.Count > Count)
                throw new ArgumentOutOfRangeException(nameof(batch), $"{batch} lies beyond the dataset's {Count} samples");
            return new DataBatch(batch.Index, Images.narrow(0, batch.Offset, batch.Count), Labels?.narrow(0, batch.Offset, batch.Count));
        }
        ReadOnlySpan<long> rows = batch.ShuffledRows;
        foreach (long r in rows)
            if (r < 0 || r >= Count)
                throw new ArgumentOutOfRangeException(nameof(batch), $"{batch} names row {r}, beyond the dataset's {Count} samples");
        using Tensor index = tensor(rows.ToArray(), dtype: ScalarType.Int64, device: Images.device);
        return new DataBatch(batch.Index, Images.index_select(0, index), Labels?.index_select(0, index));
    }

    /// <summary>A copy on <paramref name="device"/> (say, to gather batches on the GPU); the caller disposes both.</summary>
    public ImageDataset To(Device device)
    {
        using var scope = NewDisposeScope();
        return new ImageDataset(Images.to(device).contiguous(), Labels?.to(device), Description);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
