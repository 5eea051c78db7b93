using System.Buffers.Binary;
using System.Text;

namespace Repro.Runtime.Interop;

/// <summary>
/// Writes an uncompressed zip the way PyTorch's own writer does: every entry stored, its data
/// aligned to 64 bytes by padding the local header's extra field (so torch.load(mmap=True) can map
/// storages in place), fixed timestamps, so the same entries always give the same bytes.
/// Entries and the archive are limited to 4 GiB (no zip64): far above any checkpoint Repro exports.
/// </summary>
internal sealed class StoredZipWriter(Stream output)
{
    private const int Alignment = 64;
    private const ushort DosDate1980 = (0 << 9) | (1 << 5) | 1; // 1980-01-01
    private readonly List<(byte[] Name, uint Crc, uint Size, uint Offset)> _central = new();

    public void Add(string name, ReadOnlySpan<byte> data)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        long offset = output.Position;
        if (offset + data.Length + 1024 > uint.MaxValue)
            throw new IOException("the .pt archive would exceed 4 GiB; Repro does not write zip64");
        // Local header is 30 bytes + name + extra; pad the extra field so the data starts aligned.
        long dataStart = offset + 30 + nameBytes.Length + 4;
        int pad = (int)((Alignment - dataStart % Alignment) % Alignment);
        uint crc = Crc32.Compute(data);

        Span<byte> h = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);           // version needed
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 0);            // flags
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], 0);            // stored
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], 0);           // time
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], DosDate1980);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(4 + pad));
        output.Write(h);
        output.Write(nameBytes);
        Span<byte> extra = stackalloc byte[4 + pad];
        extra.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246); // "FB", PyTorch's padding record id
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)pad);
        output.Write(extra);
        output.Write(data);
        _central.Add((nameBytes, crc, (uint)data.Length, (uint)offset));
    }

    public void Finish()
    {
        long cdStart = output.Position;
        Span<byte> c = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in _central)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c[4..], 20);   // made by
            BinaryPrimitives.WriteUInt16LittleEndian(c[6..], 20);   // needed
            BinaryPrimitives.WriteUInt16LittleEndian(c[8..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(c[10..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(c[12..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(c[14..], DosDate1980);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(c[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(c[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(c[30..], 0);   // extra
            BinaryPrimitives.WriteUInt16LittleEndian(c[32..], 0);   // comment
            BinaryPrimitives.WriteUInt16LittleEndian(c[34..], 0);   // disk
            BinaryPrimitives.WriteUInt16LittleEndian(c[36..], 0);   // internal attributes
            BinaryPrimitives.WriteUInt32LittleEndian(c[38..], 0);   // external attributes
            BinaryPrimitives.WriteUInt32LittleEndian(c[42..], offset);
            output.Write(c);
            output.Write(name);
        }
        long cdSize = output.Position - cdStart;
        if (_central.Count > ushort.MaxValue || output.Position > uint.MaxValue)
            throw new IOException("the .pt archive would need zip64; Repro does not write it");
        Span<byte> e = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(e[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)_central.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)_central.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)cdStart);
        BinaryPrimitives.WriteUInt16LittleEndian(e[20..], 0);
        output.Write(e);
    }
}
