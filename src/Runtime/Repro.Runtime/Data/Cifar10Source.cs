using Repro.Pipeline.Data;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// CIFAR-10 binary batches: records of 3073 bytes, one label byte (0–9) then a 32×32 image as three
/// channel planes (R, G, B), row-major. Files are concatenated in the order given. A file whose
/// size is not a whole number of records, or a label above 9, is bad input.
/// </summary>
public static class Cifar10Source
{
    public const int Side = 32, Channels = 3, Classes = 10;
    public const int RecordSize = 1 + Channels * Side * Side;
    private const int RecordsPerChunk = 1024;

    public static ImageDataset Load(DataSourceSpec spec)
    {
        if (spec.Kind != DataSourceKind.Cifar10) throw new ArgumentException($"{spec.Kind} is not a CIFAR-10 source", nameof(spec));
        var counts = new long[spec.CifarFiles.Count];
        for (int f = 0; f < counts.Length; f++)
        {
            string path = spec.CifarFiles[f];
            using (DataFile.OpenFile(path)) { }
            long length = new FileInfo(path).Length;
            if (length == 0 || length % RecordSize != 0)
                throw new BadInputException($"{path}: size {length} bytes is not a positive multiple of the {RecordSize}-byte CIFAR-10 record (1 label + 3x32x32 pixels)");
            counts[f] = length / RecordSize;
        }
        long n = counts.Sum();
        if (n > Array.MaxLength) throw new BadInputException($"{spec}: {n} records, more than fit in memory");

        var norm = Normalization.Cifar10;
        using var scope = NewDisposeScope();
        Tensor images = empty([n, Channels, Side, Side], ScalarType.Float32);
        var writer = new PixelWriter(images, norm);
        var labels = new long[n];
        var chunk = new byte[RecordsPerChunk * RecordSize];
        long sample = 0;
        for (int f = 0; f < counts.Length; f++)
        {
            string path = spec.CifarFiles[f];
            using var stream = DataFile.OpenFile(path);
            for (long r = 0; r < counts[f]; r += RecordsPerChunk)
            {
                int records = (int)Math.Min(RecordsPerChunk, counts[f] - r);
                Span<byte> bytes = chunk.AsSpan(0, records * RecordSize);
                int read = DataFile.ReadUpTo(stream, bytes, path);
                if (read < bytes.Length)
                    throw new BadInputException($"{path}: file shrank while being read ({r * RecordSize + read} of {counts[f] * RecordSize} bytes)");
                for (int i = 0; i < records; i++)
                {
                    byte label = bytes[i * RecordSize];
                    if (label >= Classes)
                        throw new BadInputException($"{path}: record {r + i} has label {label}; CIFAR-10 labels are 0-9");
                    labels[sample + i] = label;
                }
                writer.Write(sample, bytes, RecordSize, skip: 1);
                sample += records;
            }
        }
        var description = new DatasetDescription(spec.ToString(), spec.Identity, spec.Kind, n, Channels, Side, Side, Classes, HasLabels: true, norm);
        return new ImageDataset(images, tensor(labels, dtype: ScalarType.Int64), description);
    }
}
