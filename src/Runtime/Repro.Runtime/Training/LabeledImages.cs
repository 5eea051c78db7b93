using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// A data set held as two tensors: float32 images [N, C, H, W] (already normalised) and int64 labels [N].
/// <see cref="Source"/> is the data-source spec it came from, so errors can name it.
/// </summary>
public sealed record LabeledImages(string Source, Tensor Images, Tensor Labels)
{
    public long Count => Images.shape[0];

    /// <summary>What the data is, independent of where it lies (a spec's path-free identity); part of a run's identity.</summary>
    public string Identity { get; init; } = Source;

    /// <summary>
    /// Bad input unless the images are [N, <paramref name="channels"/>, H, W] float32 and every label is in
    /// [0, <paramref name="numClasses"/>): a wrong label would otherwise surface as an index error deep in
    /// the loss, or worse, train silently on garbage.
    /// </summary>
    public LabeledImages Validated(int channels, int numClasses, string role)
    {
        string name = $"{role} data {Source}";
        if (Images.dim() != 4)
            throw new BadInputException($"{name}: images must be [N, C, H, W], got [{string.Join(", ", Images.shape)}]");
        if (Images.dtype != ScalarType.Float32)
            throw new BadInputException($"{name}: images must be float32, got {Images.dtype}");
        if (Images.shape[1] != channels)
            throw new BadInputException($"{name}: images have {Images.shape[1]} channel(s) but the model takes {channels} (model.inChannels)");
        if (Labels.dim() != 1 || Labels.shape[0] != Images.shape[0])
            throw new BadInputException($"{name}: {Labels.shape.FirstOrDefault()} labels for {Images.shape[0]} images");
        if (Labels.dtype != ScalarType.Int64)
            throw new BadInputException($"{name}: labels must be int64, got {Labels.dtype}");
        if (Count == 0)
            throw new BadInputException($"{name}: holds no samples");
        long min = Labels.min().item<long>(), max = Labels.max().item<long>();
        if (min < 0 || max >= numClasses)
        {
            long bad = min < 0 ? min : max;
            long index = Labels.eq(bad).nonzero()[0, 0].item<long>();
            throw new BadInputException($"{name}: label {bad} at sample {index} is outside [0, {numClasses}) (model.numClasses {numClasses})");
        }
        return this;
    }
}
