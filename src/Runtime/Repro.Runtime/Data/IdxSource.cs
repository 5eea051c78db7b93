using System.Buffers.Binary;
using Repro.Pipeline.Data;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// IDX files (LeCun's MNIST format, also Fashion-MNIST's), gzip or raw: a big-endian header —
/// magic 0x00000803 then N, rows, cols for images; magic 0x00000801 then N for labels — followed
/// by exactly that many unsigned bytes. Anything else (wrong magic, a payload shorter or longer
/// than the header says, image and label counts that differ, labels beyond the class count) is bad input.
/// </summary>
public static class IdxSource
{
    public const uint ImagesMagic = 0x00000803;
    public const uint LabelsMagic = 0x00000801;
    private const int SamplesPerChunk = 4096;

    public static ImageDataset Load(DataSourceSpec spec)
    {
        (Normalization norm, int fixedClasses) = spec.Kind switch
        {
            DataSourceKind.FashionMnist => (Normalization.FashionMnist, 10),
            DataSourceKind.Mnist => (Normalization.Mnist, 10),
            // Plain IDX files carry no statistics: scale bytes to [0,1] and record that.
            DataSourceKind.Idx => (new Normalization("unit-range", [0.0], [1.0]), 0),
            _ => throw new ArgumentException($"{spec.Kind} is not an IDX source", nameof(spec)),
        };
        string images = spec.ImagesFile!;
        long[]? labels = spec.LabelsFile != null ? ReadLabels(spec.LabelsFile) : null;

        using var stream = DataFile.OpenRead(images, out bool gzipped);
        Span<byte> header = stackalloc byte[16];
        int got = DataFile.ReadUpTo(stream, header, images);
        if (got < 4) throw Truncated(images, gzipped, $"{got} bytes, shorter than an IDX header");
        CheckMagic(images, BinaryPrimitives.ReadUInt32BigEndian(header), ImagesMagic, "images");
        if (got < 16) throw Truncated(images, gzipped, $"{got} bytes, shorter than the 16-byte IDX image header");
        long n = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        int rows = checked((int)BinaryPrimitives.ReadUInt32BigEndian(header[8..]));
        int cols = checked((int)BinaryPrimitives.ReadUInt32BigEndian(header[12..]));
        if (n == 0 || rows == 0 || cols == 0 || (long)rows * cols > 1 << 26)
            throw new BadInputException($"{images}: IDX header says {n} images of {rows}x{cols}; expected at least one image of a sensible size");
        DataFile.CheckCanHold(images, gzipped, 16 + n * rows * cols, actual => LengthMismatch(images, gzipped, n, rows, cols, actual - 16));
        if (labels != null && labels.LongLength != n)
            throw new BadInputException($"{images}: holds {n} images but {spec.LabelsFile} holds {labels.LongLength} labels");

        int classes = fixedClasses;
        if (labels != null)
        {
            long max = labels.Max();
            if (fixedClasses > 0 && max >= fixedClasses)
                throw new BadInputException($"{spec.LabelsFile}: label {max} at index {Array.IndexOf(labels, max)} is out of range for {fixedClasses} classes");
            if (fixedClasses == 0) classes = (int)max + 1;
        }
        else classes = 0;

        using var scope = NewDisposeScope();
        Tensor imageTensor = empty([n, 1, rows, cols], ScalarType.Float32);
        var writer = new PixelWriter(imageTensor, norm);
        int sampleSize = rows * cols;
        long expectedBytes = n * sampleSize;
        var chunk = new byte[(int)Math.Min(n, SamplesPerChunk) * sampleSize];
        for (long first = 0; first < n; first += SamplesPerChunk)
        {
            int want = (int)Math.Min(SamplesPerChunk, n - first) * sampleSize;
            int read = DataFile.ReadUpTo(stream, chunk.AsSpan(0, want), images);
            if (read < want)
                throw LengthMismatch(images, gzipped, n, rows, cols, first * sampleSize + read);
            writer.Write(first, chunk.AsSpan(0, want));
        }
        long extra = DataFile.CountRemaining(stream, images);
        if (extra > 0) throw LengthMismatch(images, gzipped, n, rows, cols, expectedBytes + extra);

        Tensor? labelTensor = labels != null ? tensor(labels, dtype: ScalarType.Int64) : null;
        var description = new DatasetDescription(spec.ToString(), spec.Identity, spec.Kind, n, 1, rows, cols, classes, labels != null, norm);
        return new ImageDataset(imageTensor, labelTensor, description);
    }

    /// <summary>Reads an IDX label file into one int64 per label.</summary>
    public static long[] ReadLabels(string path)
    {
        using var stream = DataFile.OpenRead(path, out bool gzipped);
        Span<byte> header = stackalloc byte[8];
        int got = DataFile.ReadUpTo(stream, header, path);
        if (got < 4) throw Truncated(path, gzipped, $"{got} bytes, shorter than an IDX header");
        CheckMagic(path, BinaryPrimitives.ReadUInt32BigEndian(header), LabelsMagic, "labels");
        if (got < 8) throw Truncated(path, gzipped, $"{got} bytes, shorter than the 8-byte IDX label header");
        long n = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (n == 0) throw new BadInputException($"{path}: IDX header says 0 labels");
        BadInputException Mismatch(long actual) =>
            new($"{path}: IDX header says {n} labels ({8 + n} bytes) but the {Data(gzipped)} holds {actual} bytes");
        DataFile.CheckCanHold(path, gzipped, 8 + n, Mismatch);
        if (n > Array.MaxLength) throw new BadInputException($"{path}: IDX header says {n} labels, more than fit in memory");
        var bytes = new byte[n];
        int read = DataFile.ReadUpTo(stream, bytes, path);
        long extra = read == n ? DataFile.CountRemaining(stream, path) : 0;
        if (read < n || extra > 0) throw Mismatch(8 + read + extra);
        return Array.ConvertAll(bytes, b => (long)b);
    }

    private static void CheckMagic(string path, uint magic, uint expected, string what)
    {
        if (magic == expected) return;
        string hint = magic switch
        {
            ImagesMagic => " (an IDX image file)",
            LabelsMagic => " (an IDX label file)",
            _ when (magic >> 16) == 0x1f8b => " (gzip inside gzip?)",
            _ when (magic >> 16) != 0 => " (not an IDX file)",
            _ when (magic & 0xff00) != 0x0800 => " (IDX, but not unsigned bytes)",
            _ => "",
        };
        throw new BadInputException($"{path}: wrong magic 0x{magic:x8}{hint}; expected 0x{expected:x8} for IDX {what}");
    }

    private static BadInputException LengthMismatch(string path, bool gzipped, long n, int rows, int cols, long actualPayload) =>
        new($"{path}: IDX header says {n} images of {rows}x{cols} ({16 + n * rows * cols} bytes) but the {Data(gzipped)} holds {16 + actualPayload} bytes");

    private static BadInputException Truncated(string path, bool gzipped, string detail) =>
        new($"{path}: truncated: the {Data(gzipped)} holds {detail}");

    private static string Data(bool gzipped) => gzipped ? "decompressed data" : "file";
}
