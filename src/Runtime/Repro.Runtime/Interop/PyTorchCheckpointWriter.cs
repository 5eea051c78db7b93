using System.Buffers.Binary;
using System.Text;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Interop;

/// <summary>
/// Writes a state dict as <c>torch.save(state_dict, path)</c> would, so <c>torch.load</c> +
/// <c>load_state_dict</c> read it (also with <c>weights_only=True</c>: the pickle names only
/// collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch.*Storage). One storage per
/// tensor; the archive is deterministic (same tensors → same bytes) and written atomically.
/// </summary>
public static class PyTorchCheckpointWriter
{
    private const string Archive = "archive";

    public static void WriteStateDict(string path, IReadOnlyList<(string Name, Tensor Tensor)> stateDict)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("torch.save storages are little-endian; this machine is not");
        if (stateDict.Select(e => e.Name).Distinct(StringComparer.Ordinal).Count() != stateDict.Count)
            throw new ArgumentException("state dict names must be unique");
        foreach (var (_, t) in stateDict)
            TorchStorageTypes.NameOf(t.dtype); // fails before anything is written

        byte[] pickle = Pickle(stateDict);
        AtomicFile.Write(path, stream =>
        {
            var zip = new StoredZipWriter(stream);
            zip.Add($"{Archive}/data.pkl", pickle);
            zip.Add($"{Archive}/byteorder", "little"u8);
            for (int i = 0; i < stateDict.Count; i++)
            {
                var t = stateDict[i].Tensor;
                using var cpu = t.cpu().contiguous();
                zip.Add($"{Archive}/data/{i}", cpu.numel() == 0 ? ReadOnlySpan<byte>.Empty : cpu.bytes);
            }
            zip.Add($"{Archive}/version", "3\n"u8);
            zip.Finish();
        });
    }

    /// <summary>
    /// Protocol-2 pickle of <c>OrderedDict([(name, _rebuild_tensor_v2((storage pid), 0, size, stride, False, OrderedDict())), …])</c>.
    /// </summary>
    private static byte[] Pickle(IReadOnlyList<(string Name, Tensor Tensor)> stateDict)
    {
        var p = new MemoryStream();
        p.Write([0x80, 2]);                         // PROTO 2
        Global(p, "collections", "OrderedDict");
        p.WriteByte((byte)')');                     // EMPTY_TUPLE
        p.WriteByte((byte)'R');                     // REDUCE → OrderedDict()
        for (int i = 0; i < stateDict.Count; i++)
        {
            var (name, t) = stateDict[i];
            p.WriteByte((byte)'(');                 // MARK for SETITEMS (one pair at a time keeps it simple)
            Unicode(p, name);
            Global(p, "torch._utils", "_rebuild_tensor_v2");
            p.WriteByte((byte)'(');                 // MARK: the argument tuple
            p.WriteByte((byte)'(');                 // MARK: the persistent id
            Unicode(p, "storage");
            Global(p, "torch", TorchStorageTypes.NameOf(t.dtype));
            Unicode(p, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Unicode(p, "cpu");
            Int(p, t.numel());
            p.WriteByte((byte)'t');                 // TUPLE
            p.WriteByte((byte)'Q');                 // BINPERSID
            Int(p, 0);                              // storage_offset
            IntTuple(p, t.shape);
            IntTuple(p, ContiguousStrides(t.shape));
            p.WriteByte(0x89);                      // NEWFALSE: requires_grad
            Global(p, "collections", "OrderedDict");
            p.WriteByte((byte)')');
            p.WriteByte((byte)'R');                 // backward_hooks = OrderedDict()
            p.WriteByte((byte)'t');                 // TUPLE
            p.WriteByte((byte)'R');                 // REDUCE → tensor
            p.WriteByte((byte)'u');                 // SETITEMS
        }
        p.WriteByte((byte)'.');                     // STOP
        return p.ToArray();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    private static void Global(Stream p, string module, string name)
    {
        p.WriteByte((byte)'c');
        p.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Unicode(Stream p, string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)b.Length);
        p.WriteByte((byte)'X');
        p.Write(len);
        p.Write(b);
    }

    private static void Int(Stream p, long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            p.WriteByte((byte)'J');
            p.Write(b);
        }
        else
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            p.WriteByte(0x8a);                      // LONG1, 8 bytes two's complement
            p.WriteByte(8);
            p.Write(b);
        }
    }

    private static void IntTuple(Stream p, long[] values)
    {
        p.WriteByte((byte)'(');
        foreach (long v in values) Int(p, v);
        p.WriteByte((byte)'t');
    }
}
