using System.Globalization;

namespace Repro.Runtime.Data;

/// <summary>
/// The per-channel affine map from raw pixel intensity in [0,1] to the stored float:
/// x = (byte/255 − Mean[c]) / Std[c]. It is part of a source's description, so reports and
/// checkpoints can record exactly what the network saw. <see cref="IsIdentity"/> sources
/// (tensor files, synthetic data) store their values as they are.
/// </summary>
public sealed record Normalization(string Name, IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>Fashion-MNIST training-set statistics (Xiao et al. 2017 data; the values torchvision users quote).</summary>
    public static Normalization FashionMnist { get; } = new("fashion-mnist", [0.2860], [0.3530]);

    /// <summary>MNIST training-set statistics.</summary>
    public static Normalization Mnist { get; } = new("mnist", [0.1307], [0.3081]);

    /// <summary>CIFAR-10 training-set per-channel (R, G, B) statistics: mean and population std over all 50000×32×32 pixels.</summary>
    public static Normalization Cifar10 { get; } = new("cifar10", [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]);

    /// <summary>Values used as stored: mean 0, std 1 in every channel.</summary>
    public static Normalization Identity(int channels, string name = "identity") =>
        new(name, Enumerable.Repeat(0.0, channels).ToArray(), Enumerable.Repeat(1.0, channels).ToArray());

    public bool IsIdentity => Mean.All(m => m == 0) && Std.All(s => s == 1);

    /// <summary>
    /// The 256 floats that a byte maps to in channel <paramref name="channel"/>, each computed in
    /// double and rounded once to float, so decoding is a table lookup with a fixed result.
    /// </summary>
    public float[] ByteTable(int channel)
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++)
            table[b] = (float)((b / 255.0 - Mean[channel]) / Std[channel]);
        return table;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: mean [{string.Join(", ", Mean.Select(m => m.ToString("R", CultureInfo.InvariantCulture)))}] std [{string.Join(", ", Std.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}]");
}
