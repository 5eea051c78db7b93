using System.IO.Compression;
using System.Text;
using Repro.Runtime.Interop;
using Repro.Runtime.Tests.Checkpoints;

namespace Repro.Runtime.Tests.Interop;

/// <summary>Corrupt and crafted .pt files: each is a one-line BadInputException naming the path and the cause.</summary>
public class CorruptPtTests
{
    /// <summary>A torch.save-shaped zip with a hand-written pickle and storages.</summary>
    private static string Zip(TempDir dir, byte[] pickle, params (string Name, byte[] Data)[] storages)
    {
        string path = dir.File("crafted.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string name, byte[] data)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
            Add("crafted/data.pkl", pickle);
            foreach (var (name, data) in storages) Add($"crafted/data/{name}", data);
            Add("crafted/version", "3\n"u8.ToArray());
        }
        return path;
    }

    /// <summary>
    /// Protocol-2 pickle of {"w": _rebuild_tensor_v2(("storage", torch.FloatStorage, "0", "cpu", numel), offset, size, stride, False, OrderedDict())}.
    /// </summary>
    private static byte[] OneTensor(long numel, long offset, long[] size, long[] stride, string storageType = "FloatStorage")
    {
        var p = new List<byte> { 0x80, 2, (byte)'}', (byte)'(' };
        void Str(string s) { var b = Encoding.UTF8.GetBytes(s); p.Add((byte)'X'); p.AddRange(BitConverter.GetBytes(b.Length)); p.AddRange(b); }
        void Int(long v) { p.Add((byte)'J'); p.AddRange(BitConverter.GetBytes((int)v)); }
        void Global(string m, string n) { p.Add((byte)'c'); p.AddRange(Encoding.ASCII.GetBytes($"{m}\n{n}\n")); }
        void Tuple(long[] xs) { p.Add((byte)'('); foreach (var x in xs) Int(x); p.Add((byte)'t'); }
        Str("w");
        Global("torch._utils", "_rebuild_tensor_v2");
        p.Add((byte)'(');
        p.Add((byte)'('); Str("storage"); Global("torch", storageType); Str("0"); Str("cpu"); Int(numel); p.Add((byte)'t'); p.Add((byte)'Q');
        Int(offset); Tuple(size); Tuple(stride); p.Add(0x89);
        Global("collections", "OrderedDict"); p.Add((byte)')'); p.Add((byte)'R');
        p.Add((byte)'t'); p.Add((byte)'R');
        p.Add((byte)'u'); p.Add((byte)'.');
        return p.ToArray();
    }

    private static byte[] Floats(int n) => new byte[4 * n];

    private static void AssertBad(string path, string cause)
    {
        var e = Assert.Throws<BadInputException>(() => PyTorchCheckpointReader.ReadStateDict(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(cause, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TheCraftedBaselineReads()
    {
        using var dir = new TempDir();
        var bytes = Floats(6);
        BitConverter.GetBytes(2.5f).CopyTo(bytes, 4 * 4);
        string path = Zip(dir, OneTensor(6, 1, [2, 2], [3, 1]), ("0", bytes));
        var t = Assert.Single(PyTorchCheckpointReader.ReadStateDict(path)).Value;
        Assert.Equal(new float[] { 0, 0, 2.5f, 0 }, t.data<float>().ToArray()); // elements 1,2,4,5 of the storage
    }

    [Fact]
    public void TruncatedArchive()
    {
        using var dir = new TempDir();
        var whole = File.ReadAllBytes(Fixtures.File("tiny_resnet.pt"));
        string path = dir.Write("cut.pt", whole[..(whole.Length / 2)]);
        AssertBad(path, "not a torch.save zip archive");
    }

    [Fact]
    public void NotAnArchiveAtAll()
    {
        using var dir = new TempDir();
        AssertBad(dir.Write("text.pt", Encoding.ASCII.GetBytes("definitely not a checkpoint")), "not a torch.save zip archive");
    }

    [Fact]
    public void NoPickleInside()
    {
        using var dir = new TempDir();
        string path = dir.File("nopkl.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            using (var s = zip.CreateEntry("x/version").Open()) s.Write("3\n"u8);
        AssertBad(path, "no <archive>/data.pkl inside");
    }

    [Fact]
    public void StorageEntryMissing()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, OneTensor(6, 0, [6], [1])), "storage '0' has no crafted/data/0 entry");
    }

    [Fact]
    public void StorageShorterThanDeclared()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, OneTensor(6, 0, [6], [1]), ("0", Floats(5))), "storage '0' holds 20 bytes but 6 × FloatStorage need 24");
    }

    [Fact]
    public void TensorReachingPastItsStorage()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, OneTensor(6, 2, [2, 3], [3, 1]), ("0", Floats(6))), "tensor 'w' reaches element 7 of storage '0', which has 6");
    }

    [Fact]
    public void UnsupportedStorageType()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, OneTensor(6, 0, [6], [1], "ComplexFloatStorage"), ("0", Floats(12))), "tensor storage type 'torch.ComplexFloatStorage' is not supported");
    }

    [Fact]
    public void TruncatedPickle()
    {
        using var dir = new TempDir();
        var pickle = OneTensor(6, 0, [6], [1]);
        AssertBad(Zip(dir, pickle[..^10], ("0", Floats(6))), "truncated");
    }

    [Fact]
    public void UnknownOpcode()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, [0x80, 2, 0xFF, (byte)'.']), "unsupported pickle opcode 0xff at byte 2");
    }

    [Fact]
    public void AListIsNotAStateDict()
    {
        using var dir = new TempDir();
        AssertBad(Zip(dir, [0x80, 2, (byte)']', (byte)'.']), "holds a list, not a dict of tensors");
    }

    [Fact]
    public void AGlobalReachedThroughStackGlobalIsRefusedToo()
    {
        using var dir = new TempDir();
        var p = new List<byte> { 0x80, 4 };
        void Short(string s) { p.Add(0x8c); p.Add((byte)s.Length); p.AddRange(Encoding.ASCII.GetBytes(s)); }
        Short("builtins"); Short("eval"); p.Add(0x93);
        Short("print('pwned')"); p.Add(0x85); p.Add((byte)'R'); p.Add((byte)'.');
        AssertBad(Zip(dir, p.ToArray()), "refuses to unpickle 'builtins.eval'");
    }

    [Fact]
    public void StateOnAnythingButAStateDictIsRefused()
    {
        using var dir = new TempDir();
        // {} with BUILD {"x": 1}: setting attributes is how pickles smuggle behaviour; plain dicts have none.
        byte[] pickle = [0x80, 2, (byte)'}', (byte)'}', (byte)'X', 1, 0, 0, 0, (byte)'x', (byte)'K', 1, (byte)'s', (byte)'b', (byte)'.'];
        AssertBad(Zip(dir, pickle), "the pickle sets object state (BUILD) on a dict");
    }
}
