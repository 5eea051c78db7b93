using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>Summary statistics of a loaded dataset, for <c>repro data inspect</c> and sanity checks.</summary>
public static class DatasetStatistics
{
    /// <summary>Samples per label 0 … classes−1; empty for an unlabelled dataset.</summary>
    public static long[] LabelHistogram(ImageDataset data)
    {
        if (data.Labels is null) return [];
        using var scope = NewDisposeScope();
        int bins = Math.Max(data.Description.Classes, 1);
        return data.Labels.cpu().bincount(null, bins).data<long>().ToArray();
    }

    /// <summary>
    /// Per-channel mean and population standard deviation of the stored (normalised) pixels over
    /// all N×H×W positions, accumulated in float64 chunk by chunk and merged with Chan et al.'s
    /// pairwise update (M2 = M2a + M2b + δ²·na·nb/n), so no float64 copy of the whole set is made.
    /// </summary>
    public static (double[] Mean, double[] Std) ChannelMoments(ImageDataset data, long samplesPerChunk = 2048)
    {
        int channels = data.Description.Channels;
        var mean = new double[channels];
        var m2 = new double[channels];
        double count = 0;
        long[] dims = [0, 2, 3];
        for (long first = 0; first < data.Count; first += samplesPerChunk)
        {
            using var scope = NewDisposeScope();
            long k = Math.Min(samplesPerChunk, data.Count - first);
            Tensor x = data.Images.narrow(0, first, k).to(ScalarType.Float64);
            double nb = (double)k * data.Description.Height * data.Description.Width;
            Tensor chunkMean = x.mean(dims);
            Tensor chunkM2 = (x - chunkMean.view(1, channels, 1, 1)).square().sum(dims);
            double[] mb = chunkMean.cpu().data<double>().ToArray();
            double[] m2b = chunkM2.cpu().data<double>().ToArray();
            double n = count + nb;
            for (int c = 0; c < channels; c++)
            {
                double delta = mb[c] - mean[c];
                mean[c] += delta * nb / n;
                m2[c] += m2b[c] + delta * delta * count * nb / n;
            }
            count = n;
        }
        return (mean, m2.Select(v => Math.Sqrt(v / count)).ToArray());
    }
}
