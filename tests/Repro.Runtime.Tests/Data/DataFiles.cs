using System.Buffers.Binary;
using System.IO.Compression;

namespace Repro.Runtime.Tests.Data;

/// <summary>Writes small IDX and CIFAR-10 files with hand-chosen bytes into a temp folder removed on Dispose.</summary>
internal sealed class DataFiles : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"repro-data-{Guid.NewGuid():N}");

    public DataFiles() => Directory.CreateDirectory(Dir);

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>An IDX image file: magic, N, rows, cols (big-endian), then the pixels.</summary>
    public string IdxImages(string name, int n, int rows, int cols, byte[] pixels, bool gzip = false, uint magic = 0x00000803) =>
        Write(name, Concat(BigEndian(magic, (uint)n, (uint)rows, (uint)cols), pixels), gzip);

    /// <summary>An IDX label file: magic, N (big-endian), then the labels.</summary>
    public string IdxLabels(string name, byte[] labels, bool gzip = false, uint magic = 0x00000801, int? count = null) =>
        Write(name, Concat(BigEndian(magic, (uint)(count ?? labels.Length)), labels), gzip);

    /// <summary>CIFAR-10 records: each a label byte then 3072 pixels, where pixel j of record r is (r*7 + j) mod 256.</summary>
    public string Cifar(string name, params byte[] labels)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            for (int j = 0; j < 3072; j++) bytes[r * 3073 + 1 + j] = (byte)((r * 7 + j) % 256);
        }
        return Write(name, bytes, gzip: false);
    }

    public string Write(string name, byte[] bytes, bool gzip)
    {
        string path = PathOf(name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] BigEndian(params uint[] values)
    {
        var b = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
