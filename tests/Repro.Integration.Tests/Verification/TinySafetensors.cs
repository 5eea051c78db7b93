using System.Buffers.Binary;
using System.Text;

namespace Repro.Integration.Tests.Verification;

/// <summary>Writes small F32 safetensors files byte by byte, and edits one value in place: a tampered checkpoint.</summary>
internal static class TinySafetensors
{
    public static void Write(string path, params (string Name, float[] Values)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, values) in tensors)
        {
            header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{values.Length}],\"data_offsets\":[{offset},{offset + 4 * values.Length}]}},");
            offset += 4 * values.Length;
        }
        header.Length--;
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        using var f = File.Create(path);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)header.Length);
        f.Write(n);
        f.Write(Encoding.UTF8.GetBytes(header.ToString()));
        Span<byte> b = stackalloc byte[4];
        foreach (var (_, values) in tensors)
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
                f.Write(b);
            }
    }

    /// <summary>Adds <paramref name="delta"/> to element <paramref name="index"/> of an F32 tensor, keeping everything else byte for byte.</summary>
    public static void AddTo(string path, string tensor, int index, float delta)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Newtonsoft.Json.Linq.JObject.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var entry = header[tensor] ?? throw new ArgumentException($"{path} has no tensor {tensor}");
        if ((string?)entry["dtype"] != "F32")
            throw new ArgumentException($"{tensor} is {(string?)entry["dtype"]}, not F32");
        int at = (int)(8 + headerLength + (long)entry["data_offsets"]![0]! + 4 * index);
        float value = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value + delta);
        File.WriteAllBytes(path, bytes);
    }
}
