using Repro.Pipeline.Data;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// Seeded synthetic images and labels, the same bits on every platform (SplitMix64 and IEEE
/// additions and multiplications only; no torch RNG, no libm).
/// <para>
/// Each class k has a prototype image P_k (stream 0 of the seed: classes × C×H×W draws). Sample i
/// draws from its own stream i+1: first its label y_i = NextBelow(classes), then one noise value
/// per pixel, and its pixel is 0.6·P_{y_i} + 0.8·noise. Every value is roughly N(0,1)
/// (0.6² + 0.8² = 1), and classes are separable, so tiny models can learn them. Because each
/// sample has its own stream, sample i is the same whatever n, and samples can be drawn in parallel.
/// </para>
/// The values are used as generated: the normalisation is recorded as identity.
/// </summary>
public static class SyntheticSource
{
    private const double PrototypeWeight = 0.6, NoiseWeight = 0.8;

    public static ImageDataset Load(DataSourceSpec spec)
    {
        SyntheticParameters p = spec.Synthetic ?? throw new ArgumentException($"{spec.Kind} is not a synthetic source", nameof(spec));
        int sampleSize = p.Channels * p.Height * p.Width;

        var prototypes = new double[(long)p.Classes * sampleSize];
        var protoRng = SplitMix64.ForStream(p.Seed, 0);
        for (long i = 0; i < prototypes.LongLength; i++) prototypes[i] = protoRng.NextStandardish();

        using var scope = NewDisposeScope();
        Tensor images = empty([p.Count, p.Channels, p.Height, p.Width], ScalarType.Float32);
        var labels = new long[p.Count];
        const int chunkSamples = 1024;
        var staging = new float[(int)Math.Min(p.Count, chunkSamples) * sampleSize];
        using (var accessor = images.data<float>())
        {
            for (long first = 0; first < p.Count; first += chunkSamples)
            {
                int count = (int)Math.Min(chunkSamples, p.Count - first);
                Parallel.For(0, count, s =>
                {
                    long i = first + s;
                    var rng = SplitMix64.ForStream(p.Seed, (ulong)i + 1);
                    int y = (int)rng.NextBelow((ulong)p.Classes);
                    labels[i] = y;
                    ReadOnlySpan<double> proto = prototypes.AsSpan(y * sampleSize, sampleSize);
                    Span<float> dst = staging.AsSpan(s * sampleSize, sampleSize);
                    for (int j = 0; j < sampleSize; j++)
                        dst[j] = (float)(PrototypeWeight * proto[j] + NoiseWeight * rng.NextStandardish());
                });
                accessor.CopyFrom(staging.AsSpan(0, count * sampleSize), 0, first * sampleSize);
            }
        }
        var description = new DatasetDescription(spec.ToString(), spec.Identity, spec.Kind, p.Count, p.Channels, p.Height, p.Width,
            p.Classes, HasLabels: true, Normalization.Identity(p.Channels, "as generated"));
        return new ImageDataset(images, tensor(labels, dtype: ScalarType.Int64), description);
    }
}
