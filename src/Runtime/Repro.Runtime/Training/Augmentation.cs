using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Random crop with zero padding and random horizontal flip (the CIFAR recipe of He et al. 2016), with
/// every random choice drawn from our <see cref="SeededRandom"/> in a fixed order: per image, the row
/// offset, the column offset (if padding), then the flip coin (if flipping). The same seed therefore gives
/// the same augmented batches on any machine, thread count or device.
/// </summary>
public sealed class Augmentation
{
    public Augmentation(AugmentConfig config) => Config = config;

    public AugmentConfig Config { get; }

    /// <summary>The random choices for one image.</summary>
    public readonly record struct Draw(int Top, int Left, bool Flip);

    /// <summary>Draws the choices for a batch of <paramref name="batchSize"/> images.</summary>
    public Draw[] DrawBatch(SeededRandom rng, int batchSize)
    {
        int p = Config.RandomCropPadding;
        var draws = new Draw[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            int top = p > 0 ? rng.NextInt(2 * p + 1) : p;
            int left = p > 0 ? rng.NextInt(2 * p + 1) : p;
            bool flip = Config.HorizontalFlip && rng.NextInt(2) == 1;
            draws[i] = new Draw(top, left, flip);
        }
        return draws;
    }

    /// <summary>Augments <paramref name="images"/> [B, C, H, W]; returns it unchanged when nothing is enabled.</summary>
    public Tensor Apply(Tensor images, SeededRandom rng)
    {
        if (!Config.Enabled) return images;
        return Apply(images, DrawBatch(rng, (int)images.shape[0]));
    }

    /// <summary>
    /// Output pixel (y, x) of image b is padded pixel (top_b + y, col_b(x)), with col_b(x) = left_b + x, or
    /// left_b + W − 1 − x when flipped. Two gathers (rows, then columns) do crop and flip for the whole
    /// batch at once instead of B small copies.
    /// </summary>
    public Tensor Apply(Tensor images, IReadOnlyList<Draw> draws)
    {
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (draws.Count != b) throw new ArgumentException($"{draws.Count} draws for a batch of {b}", nameof(draws));
        int p = Config.RandomCropPadding;
        var rows = new long[b * h];
        var cols = new long[b * w];
        for (int i = 0; i < b; i++)
        {
            for (int y = 0; y < h; y++) rows[i * h + y] = draws[i].Top + y;
            for (int x = 0; x < w; x++) cols[i * w + x] = draws[i].Left + (draws[i].Flip ? w - 1 - x : x);
        }
        using var scope = NewDisposeScope();
        Device device = images.device;
        Tensor padded = p > 0 ? nn.functional.pad(images, new long[] { p, p, p, p }) : images;
        Tensor rowIndex = tensor(rows, new[] { b, 1, h, 1 }).to(device).expand(b, c, h, w + 2 * p);
        Tensor colIndex = tensor(cols, new[] { b, 1, 1, w }).to(device).expand(b, c, h, w);
        return padded.gather(2, rowIndex).gather(3, colIndex).MoveToOuterDisposeScope();
    }
}
