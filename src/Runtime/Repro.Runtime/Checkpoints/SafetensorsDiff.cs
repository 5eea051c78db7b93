using System.Buffers.Binary;

namespace Repro.Runtime.Checkpoints;

/// <summary>How one tensor differs between two safetensors files.</summary>
/// <param name="MaxAbsDifference">max |expected − actual| over the elements, in float64 (∞ where one side is NaN or ±∞ and the other is not); null when dtype or shape differ or a side lacks the tensor.</param>
/// <param name="DifferingElements">elements whose bits differ (0 when not comparable).</param>
public sealed record TensorDifference(string Name, string Problem, string? DType, string? Shape, double? MaxAbsDifference, long DifferingElements, long Elements);

/// <summary>A metadata key whose value differs (null: absent on that side).</summary>
public sealed record MetadataDifference(string Key, string? Expected, string? Actual);

/// <param name="TensorNames">names in either file.</param>
public sealed record SafetensorsComparison(int TensorNames, IReadOnlyList<TensorDifference> Tensors, IReadOnlyList<MetadataDifference> Metadata)
{
    public bool Identical => Tensors.Count == 0 && Metadata.Count == 0;
}

/// <summary>
/// Tensor-by-tensor comparison of two safetensors files, for `repro diff` and `repro verify`. Both
/// headers are validated by <see cref="SafetensorsHeader"/> first; data is then streamed one tensor
/// at a time straight from the files and decoded per dtype, so files of any size are compared
/// exactly, without libtorch. Equality is bitwise (that is what "reproduces" means); the max
/// absolute difference says how far apart the values are when the bits are not equal.
/// </summary>
public static class SafetensorsDiff
{
    public static SafetensorsComparison Compare(string expectedPath, string actualPath)
    {
        var expected = SafetensorsHeader.Read(expectedPath);
        var actual = SafetensorsHeader.Read(actualPath);
        var differences = new List<TensorDifference>();

        using var expectedStream = SafetensorsHeader.OpenRead(expectedPath);
        using var actualStream = SafetensorsHeader.OpenRead(actualPath);
        foreach (var e in expected.Entries.OrderBy(e => e.Name, StateKeyComparer.Instance))
        {
            var a = actual.Find(e.Name);
            if (a is null)
            {
                differences.Add(new TensorDifference(e.Name, "missing in actual", e.DType, e.ShapeText, null, 0, e.ElementCount));
                continue;
            }
            if (a.DType != e.DType || !a.Shape.SequenceEqual(e.Shape))
            {
                differences.Add(new TensorDifference(e.Name, $"{e.DType} {e.ShapeText} vs {a.DType} {a.ShapeText}", e.DType, e.ShapeText, null, 0, e.ElementCount));
                continue;
            }
            var (maxAbs, differing) = CompareData(expectedStream, expected.DataStart + e.Begin, actualStream, actual.DataStart + a.Begin, e);
            if (differing > 0)
                differences.Add(new TensorDifference(e.Name, "values differ", e.DType, e.ShapeText, maxAbs, differing, e.ElementCount));
        }
        foreach (var a in actual.Entries.Where(a => expected.Find(a.Name) is null).OrderBy(a => a.Name, StateKeyComparer.Instance))
            differences.Add(new TensorDifference(a.Name, "missing in expected", a.DType, a.ShapeText, null, 0, a.ElementCount));

        var metadata = expected.Metadata.Keys.Union(actual.Metadata.Keys).OrderBy(k => k, StringComparer.Ordinal)
            .Select(k => new MetadataDifference(k, expected.Metadata.GetValueOrDefault(k), actual.Metadata.GetValueOrDefault(k)))
            .Where(d => d.Expected != d.Actual)
            .ToList();
        int names = expected.Entries.Select(e => e.Name).Union(actual.Entries.Select(a => a.Name)).Count();
        return new SafetensorsComparison(names, differences, metadata);
    }

    private const int ChunkBytes = 1 << 20;

    private static (double MaxAbs, long Differing) CompareData(Stream es, long eOffset, Stream @as, long aOffset, SafetensorsEntry entry)
    {
        SafetensorsDType.TryParse(entry.DType, out _, out int size);
        // Whole elements per chunk, so no element straddles two reads.
        int chunk = ChunkBytes / size * size;
        var eb = new byte[Math.Min(chunk, Math.Max(entry.ByteLength, size))];
        var ab = new byte[eb.Length];
        double maxAbs = 0;
        long differing = 0;
        es.Position = eOffset;
        @as.Position = aOffset;
        for (long done = 0; done < entry.ByteLength; done += chunk)
        {
            int n = (int)Math.Min(chunk, entry.ByteLength - done);
            es.ReadExactly(eb, 0, n);
            @as.ReadExactly(ab, 0, n);
            if (eb.AsSpan(0, n).SequenceEqual(ab.AsSpan(0, n)))
                continue;
            for (int i = 0; i < n; i += size)
            {
                var x = eb.AsSpan(i, size);
                var y = ab.AsSpan(i, size);
                if (x.SequenceEqual(y))
                    continue;
                differing++;
                maxAbs = Math.Max(maxAbs, AbsDifference(entry.DType, x, y));
            }
        }
        return (maxAbs, differing);
    }

    /// <summary>|x − y| for two elements whose bits differ. NaN against a number, or two different infinities, count as ∞.</summary>
    internal static double AbsDifference(string dtype, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        switch (dtype)
        {
            case "I64":
                // Exact even where a double could not hold either value.
                return (double)Int128.Abs((Int128)BinaryPrimitives.ReadInt64LittleEndian(x) - BinaryPrimitives.ReadInt64LittleEndian(y));
            case "BOOL":
                return 1;
        }
        double a = Decode(dtype, x), b = Decode(dtype, y);
        if (double.IsNaN(a) && double.IsNaN(b))
            return 0; // different NaN payloads: the bits differ, the values do not
        if (double.IsNaN(a) || double.IsNaN(b) || (double.IsInfinity(a) || double.IsInfinity(b)) && a != b)
            return double.PositiveInfinity;
        return Math.Abs(a - b);
    }

    private static double Decode(string dtype, ReadOnlySpan<byte> v) => dtype switch
    {
        "F64" => BinaryPrimitives.ReadDoubleLittleEndian(v),
        "F32" => BinaryPrimitives.ReadSingleLittleEndian(v),
        "F16" => (double)BinaryPrimitives.ReadHalfLittleEndian(v),
        "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(v) << 16),
        "I32" => BinaryPrimitives.ReadInt32LittleEndian(v),
        "I16" => BinaryPrimitives.ReadInt16LittleEndian(v),
        "I8" => (sbyte)v[0],
        "U8" => v[0],
        _ => throw new ArgumentException($"no decoder for dtype {dtype}"),
    };
}
