using System.Security.Cryptography;
using System.Text;
using Repro.Runtime.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    [Fact]
    public void EverySupportedDtypeRoundTripsBitExactly()
    {
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f64"] = tensor(new[] { 1.5, -0.0, double.NaN, double.Epsilon, double.MaxValue }),
            ["f32"] = randn(3, 4, 5),
            ["f16"] = randn(7).to(ScalarType.Float16),
            ["bf16"] = randn(2, 3).to(ScalarType.BFloat16),
            ["i64"] = tensor(new[] { long.MinValue, -1L, 0L, long.MaxValue }),
            ["i32"] = tensor(new[] { int.MinValue, 7, int.MaxValue }),
            ["i16"] = tensor(new short[] { short.MinValue, 3, short.MaxValue }),
            ["i8"] = tensor(new sbyte[] { -128, 0, 127 }),
            ["u8"] = tensor(new byte[] { 0, 1, 255 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(42L),
            ["empty"] = zeros(0, 3),
            ["strided"] = arange(24, dtype: ScalarType.Float32).reshape(4, 6).t()[1..3],
        };
        var metadata = new Dictionary<string, string> { ["repro.note"] = "ünïcode \"quoted\"\nline", ["a"] = "" };
        string path = dir.File("all.safetensors");
        SafetensorsWriter.Write(path, tensors, metadata);

        using var read = SafetensorsReader.Read(path);
        Assert.Equal(tensors.Keys.Order(), read.Tensors.Keys.Order());
        foreach (var (name, t) in tensors)
            TensorAssert.BitEqual(t, read.Tensors[name], name);
        Assert.Equal(metadata.OrderBy(kv => kv.Key), read.Metadata.OrderBy(kv => kv.Key));
        Assert.Empty(read.Tensors["scalar"].shape);
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void TheBytesAreExactlyTheFormatsWithSortedMetadataAndSpacePadding()
    {
        using var dir = new TempDir();
        using var a = tensor(new float[] { 1, 2 });
        using var b = tensor(new byte[] { 9 });
        string path = dir.File("x.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["b"] = b, ["a"] = a },
            new Dictionary<string, string> { ["z"] = "1", ["m"] = "2" });

        // Written out by hand from the format: larger elements first (a: F32, then b: U8).
        string json = """{"__metadata__":{"m":"2","z":"1"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[1],"data_offsets":[8,9]}}""";
        int padded = (json.Length + 7) / 8 * 8;
        var expected = SafetensorsBytes.Make(json + new string(' ', padded - json.Length),
            [.. SafetensorsBytes.Floats(1, 2), 9]);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void TheSameTensorsGiveTheSameBytesWhateverTheInsertionOrder()
    {
        using var dir = new TempDir();
        manual_seed(5);
        using var x = randn(10, 10);
        using var y = randint(0, 100, new long[] { 17 });
        using var z = randn(3).to(ScalarType.Float64);
        SafetensorsWriter.Write(dir.File("1.safetensors"), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y, ["z"] = z },
            new Dictionary<string, string> { ["k1"] = "v", ["k2"] = "w" });
        SafetensorsWriter.Write(dir.File("2.safetensors"), new Dictionary<string, Tensor> { ["z"] = z, ["x"] = x, ["y"] = y },
            new Dictionary<string, string> { ["k2"] = "w", ["k1"] = "v" });
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(dir.File("1.safetensors"))), SHA256.HashData(File.ReadAllBytes(dir.File("2.safetensors"))));
    }

    [Fact]
    public void EveryTensorIsAlignedToItsElementSize()
    {
        using var dir = new TempDir();
        using var u8 = tensor(new byte[] { 1, 2, 3 });
        using var f64 = tensor(new[] { 1.0, 2.0 });
        using var f32 = tensor(new float[] { 1, 2, 3 });
        using var f16 = ones(3).to(ScalarType.Float16);
        string path = dir.File("aligned.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a_u8"] = u8, ["b_f64"] = f64, ["c_f32"] = f32, ["d_f16"] = f16 });
        var header = SafetensorsHeader.Read(path);
        Assert.Equal(0, header.DataStart % 8);
        Assert.Equal(new[] { "b_f64", "c_f32", "d_f16", "a_u8" }, header.Entries.Select(e => e.Name));
        foreach (var e in header.Entries)
            Assert.Equal(0, (header.DataStart + e.Begin) % SafetensorsDType.SizeOf(e.ScalarType));
    }

    [Fact]
    public void AnUnwritableDtypeFailsBeforeTheFileIsTouched()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        using var good = ones(2);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = good });
        var before = File.ReadAllBytes(path);
        using var complex = zeros(2, dtype: ScalarType.ComplexFloat32);
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = good, ["z"] = complex }));
        Assert.Contains("ComplexFloat32", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailureMidWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "the previous checkpoint");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        Assert.Equal("the previous checkpoint", File.ReadAllText(path));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AStreamFailureMidWriteLeavesNoFile()
    {
        using var dir = new TempDir();
        string path = dir.File("never.safetensors");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(Encoding.ASCII.GetBytes("partial"));
            throw new IOException("disk full");
        }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void HeaderAloneIsReadWithoutTheData()
    {
        using var dir = new TempDir();
        using var t = zeros(4, 5, dtype: ScalarType.Int32);
        string path = dir.File("h.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["t"] = t }, new Dictionary<string, string> { ["k"] = "v" });
        var header = SafetensorsHeader.Read(path);
        var e = Assert.Single(header.Entries);
        Assert.Equal(("t", "I32", 80L), (e.Name, e.DType, e.ByteLength));
        Assert.Equal(new long[] { 4, 5 }, e.Shape);
        Assert.Equal("v", header.Metadata["k"]);
    }
}
