using System.IO.Compression;

namespace Repro.Runtime.Data;

/// <summary>Opening and reading data files, with every failure turned into a one-line <see cref="BadInputException"/> naming the file.</summary>
internal static class DataFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading. A file that starts with the gzip magic
    /// (1f 8b) is decompressed on the fly, whatever its name.
    /// </summary>
    public static Stream OpenRead(string path, out bool gzipped)
    {
        FileStream file = OpenFile(path);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        gzipped = b0 == 0x1f && b1 == 0x8b;
        return gzipped ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
    }

    public static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new BadInputException($"{path}: is a folder, not a data file");
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot open ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>
    /// Checks, before anything is allocated, that the file can hold <paramref name="expected"/> bytes of
    /// data: exactly, for a raw file; at most deflate's ratio limit (1032:1), for a gzipped one.
    /// </summary>
    public static void CheckCanHold(string path, bool gzipped, long expected, Func<long, BadInputException> mismatch)
    {
        long length = new FileInfo(path).Length;
        if (!gzipped && expected != length) throw mismatch(length);
        if (gzipped && expected > length * 1032 + 64)
            throw new BadInputException($"{path}: header promises {expected} bytes, more than a {length}-byte gzip file can hold");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static int ReadUpTo(Stream stream, Span<byte> buffer, string path)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new BadInputException($"{path}: corrupt gzip data ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        catch (IOException e)
        {
            throw new BadInputException($"{path}: read failed ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        return total;
    }

    /// <summary>Counts what is left in the stream (used only to word an error precisely).</summary>
    public static long CountRemaining(Stream stream, string path)
    {
        var scratch = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = ReadUpTo(stream, scratch, path)) > 0) total += n;
        return total;
    }
}
