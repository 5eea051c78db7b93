using static TorchSharp.torch;

namespace Repro.Runtime.Checkpoints;

/// <summary>Reads safetensors files into CPU tensors, validating the whole header first.</summary>
public static class SafetensorsReader
{
    /// <summary>
    /// Every tensor in the file, by name, with the header's metadata. The caller owns the tensors.
    /// All checks (lengths, JSON, dtypes, offsets) run before the first tensor is allocated.
    /// </summary>
    public static SafetensorsContent Read(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{path}: file not found");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        using var stream = SafetensorsHeader.OpenRead(path);
        var header = SafetensorsHeader.Read(stream, path);
        foreach (var e in header.Entries)
            if (e.ByteLength > int.MaxValue)
                throw SafetensorsHeader.Bad(path, $"tensor '{e.Name}' is {e.ByteLength} bytes; Repro reads tensors up to 2 GiB");

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            stream.Position = header.DataStart;
            foreach (var e in header.Entries)
            {
                var t = empty(e.Shape, e.ScalarType);
                tensors.Add(e.Name, t);
                if (e.ByteLength > 0)
                    ReadInto(stream, t, e, path);
            }
            return new SafetensorsContent(header, tensors);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static void ReadInto(Stream stream, Tensor t, SafetensorsEntry e, string path)
    {
        // Entries are contiguous and in offset order, so the stream is already at e.Begin.
        Span<byte> target = t.bytes;
        try
        {
            stream.ReadExactly(target);
        }
        catch (EndOfStreamException)
        {
            throw SafetensorsHeader.Bad(path, $"tensor '{e.Name}': file ended while reading its data (changed while being read?)");
        }
    }
}

/// <summary>The tensors and metadata of one safetensors file. Disposing it disposes the tensors.</summary>
public sealed class SafetensorsContent : IDisposable
{
    internal SafetensorsContent(SafetensorsHeader header, Dictionary<string, Tensor> tensors)
    {
        Header = header;
        Tensors = tensors;
    }

    public SafetensorsHeader Header { get; }
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
