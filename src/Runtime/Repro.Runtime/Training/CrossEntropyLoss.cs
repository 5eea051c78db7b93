using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Mean cross-entropy over the batch, with optional label smoothing (Szegedy et al. 2016): the target is
/// (1 − ε)·one_hot(y) + ε/K, so the loss per sample is (1 − ε)·(−log p_y) + ε·mean_k(−log p_k).
/// This is libtorch's own cross_entropy, whose label_smoothing has exactly that meaning.
/// </summary>
public sealed class CrossEntropyLoss
{
    public CrossEntropyLoss(double labelSmoothing)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), "label smoothing must be in [0, 1)");
        LabelSmoothing = labelSmoothing;
    }

    public double LabelSmoothing { get; }

    /// <param name="logits">[B, K] unnormalised scores.</param>
    /// <param name="labels">[B] int64 class indices.</param>
    public Tensor Compute(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits, labels, label_smoothing: LabelSmoothing);
}
