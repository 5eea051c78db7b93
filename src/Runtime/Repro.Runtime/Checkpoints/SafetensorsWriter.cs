using System.Buffers.Binary;
using System.Text;
using Newtonsoft.Json;
using static TorchSharp.torch;

namespace Repro.Runtime.Checkpoints;

/// <summary>
/// Writes safetensors files deterministically: the same tensors and metadata always give the same
/// bytes (CI compares hashes). Tensors are laid out largest element size first, then by ordinal name,
/// as the reference writer does, so every tensor is aligned to its element size; the header lists
/// them in that order, metadata keys sorted, padded with spaces to a multiple of 8.
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        if (tensors.ContainsKey(SafetensorsHeader.MetadataKey))
            throw new ArgumentException($"a tensor may not be named {SafetensorsHeader.MetadataKey}");

        var layout = tensors
            .Select(kv => (Name: kv.Key, Tensor: kv.Value, DType: SafetensorsDType.NameOf(kv.Value.dtype), Size: SafetensorsDType.SizeOf(kv.Value.dtype)))
            .OrderByDescending(t => t.Size)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        byte[] header = BuildHeader(layout.Select(l => (l.Name, l.DType, l.Tensor.shape, l.Tensor.numel() * l.Size)), metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor, _, _) in layout)
                WriteData(stream, tensor);
        });
    }

    private static byte[] BuildHeader(IEnumerable<(string Name, string DType, long[] Shape, long Bytes)> layout, IReadOnlyDictionary<string, string>? metadata)
    {
        var sw = new StringWriter { NewLine = "\n" };
        using (var w = new JsonTextWriter(sw) { Formatting = Formatting.None, StringEscapeHandling = StringEscapeHandling.Default })
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WritePropertyName(SafetensorsHeader.MetadataKey);
                w.WriteStartObject();
                foreach (var kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(kv.Key);
                    w.WriteValue(kv.Value);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, bytes) in layout)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                w.WritePropertyName("dtype"); w.WriteValue(dtype);
                w.WritePropertyName("shape");
                w.WriteStartArray();
                foreach (long d in shape) w.WriteValue(d);
                w.WriteEndArray();
                w.WritePropertyName("data_offsets");
                w.WriteStartArray();
                w.WriteValue(offset);
                w.WriteValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        var json = Encoding.UTF8.GetBytes(sw.ToString());
        int padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        if (tensor.numel() == 0)
            return;
        // bytes needs a dense CPU tensor; copies only when the tensor is not one already.
        bool onCpu = tensor.device_type == TorchSharp.DeviceType.CPU;
        var cpu = onCpu ? tensor : tensor.cpu();
        var dense = cpu.is_contiguous() ? cpu : cpu.contiguous();
        try
        {
            stream.Write(dense.bytes);
        }
        finally
        {
            if (!ReferenceEquals(dense, cpu)) dense.Dispose();
            if (!ReferenceEquals(cpu, tensor)) cpu.Dispose();
        }
    }
}
