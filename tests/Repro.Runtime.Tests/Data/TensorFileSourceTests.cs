using System.Text;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Data;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Data;

public class TensorFileSourceTests
{
    /// <summary>A safetensors file assembled byte by byte: 8-byte LE header length, JSON header, data.</summary>
    private static string HandWritten(DataFiles f, string name, string headerJson, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson.PadRight((headerJson.Length + 7) / 8 * 8));
        return f.Write(name, DataFiles.Concat(BitConverter.GetBytes((ulong)json.Length), json, data), gzip: false);
    }

    [Fact]
    public void ReadsImagesAndLabelsAsStored()
    {
        using var f = new DataFiles();
        float[] pixels = [0.5f, -1.25f, 3f, 42f];
        long[] labels = [7, 2];
        byte[] data = DataFiles.Concat(pixels.SelectMany(BitConverter.GetBytes).ToArray(), labels.SelectMany(BitConverter.GetBytes).ToArray());
        string path = HandWritten(f, "calib.safetensors",
            """{"images":{"dtype":"F32","shape":[2,1,1,2],"data_offsets":[0,16]},"labels":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}}""", data);

        using var ds = DataSource.Load(path);   // a bare *.safetensors path
        Assert.Equal(new long[] { 2, 1, 1, 2 }, ds.Images.shape);
        Assert.Equal(pixels, ds.Images.data<float>().ToArray());
        Assert.Equal(labels, ds.Labels!.data<long>().ToArray());
        Assert.Equal(8, ds.Description.Classes);
        Assert.True(ds.Description.Normalization.IsIdentity);
        Assert.Equal("as stored", ds.Description.Normalization.Name);
        Assert.Equal("tensors", ds.Description.Identity);
    }

    [Fact]
    public void RoundTripsWhatTheCheckpointWriterWritesAndLabelsAreOptional()
    {
        using var f = new DataFiles();
        using var source = DataSource.Load("synthetic:n=12,c=3,h=4,w=5,classes=4,seed=3");
        string path = f.PathOf("s.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["images"] = source.Images });
        using var ds = DataSource.Load($"tensors:{path}");
        Assert.True(Tensors.Same(source.Images, ds.Images));
        Assert.Null(ds.Labels);
        Assert.Equal(0, ds.Description.Classes);
    }

    [Theory]
    [InlineData("""{"pixels":{"dtype":"F32","shape":[1,1,1,1],"data_offsets":[0,4]}}""", 4, "unexpected tensor 'pixels'; a tensor file holds 'images' float32 [N,C,H,W] and optionally 'labels' int64 [N]")]
    [InlineData("""{"labels":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8, "no 'images' tensor; expected float32 [N,C,H,W]")]
    [InlineData("""{"images":{"dtype":"F64","shape":[1,1,1,1],"data_offsets":[0,8]}}""", 8, "'images' is F64 [1,1,1,1]; expected F32 [N,C,H,W]")]
    [InlineData("""{"images":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 16, "'images' is F32 [2,2]; expected F32 [N,C,H,W]")]
    [InlineData("""{"images":{"dtype":"F32","shape":[2,1,1,1],"data_offsets":[0,8]},"labels":{"dtype":"I64","shape":[3],"data_offsets":[8,32]}}""", 32, "'labels' is I64 [3]; expected I64 [2] to match 'images'")]
    [InlineData("""{"images":{"dtype":"F32","shape":[1,1,1,1],"data_offsets":[0,4]},"labels":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}""", 8, "'labels' is I32 [1]; expected I64 [1] to match 'images'")]
    public void WrongContentIsBadInputNamingTheFile(string header, int dataBytes, string cause)
    {
        using var f = new DataFiles();
        string path = HandWritten(f, "bad.safetensors", header, new byte[dataBytes]);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load(path));
        Assert.Equal($"{path}: {cause}", e.Message);
    }

    [Fact]
    public void NonFiniteImagesAndNegativeLabelsAreBadInput()
    {
        using var f = new DataFiles();
        string nan = HandWritten(f, "nan.safetensors", """{"images":{"dtype":"F32","shape":[1,1,1,1],"data_offsets":[0,4]}}""", BitConverter.GetBytes(float.NaN));
        Assert.Equal($"{nan}: 'images' contains NaN or infinite values", Assert.Throws<BadInputException>(() => DataSource.Load(nan)).Message);

        string neg = HandWritten(f, "neg.safetensors", """{"images":{"dtype":"F32","shape":[1,1,1,1],"data_offsets":[0,4]},"labels":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}}""",
            DataFiles.Concat(BitConverter.GetBytes(1f), BitConverter.GetBytes(-3L)));
        Assert.Equal($"{neg}: 'labels' holds the negative label -3", Assert.Throws<BadInputException>(() => DataSource.Load(neg)).Message);
    }

    [Theory]
    [InlineData(-1, float.NaN, true)]
    [InlineData(0, float.NaN, false)]
    [InlineData(20, float.PositiveInfinity, false)]   // row 3: the second slice
    [InlineData(41, float.NegativeInfinity, false)]   // the very last value, alone in the last slice
    [InlineData(41, float.MaxValue, true)]
    public void TheFinitenessCheckSeesEverySlice(int at, float value, bool finite)
    {
        // 7 rows of 6 values, checked 2 rows (12 values) at a time: slices [0,2) [2,4) [4,6) [6,7).
        float[] values = Enumerable.Range(0, 42).Select(i => i * 0.5f - 10f).ToArray();
        if (at >= 0) values[at] = value;
        using var x = tensor(values, [7, 1, 2, 3]);
        Assert.Equal(finite, TensorFileSource.AllFinite(x, sliceElements: 12));
        Assert.Equal(finite, TensorFileSource.AllFinite(x));
    }

    [Fact]
    public void MissingAndTruncatedFilesAreBadInput()
    {
        using var f = new DataFiles();
        string missing = f.PathOf("none.safetensors");
        Assert.Equal($"{missing}: file not found", Assert.Throws<BadInputException>(() => DataSource.Load(missing)).Message);

        string full = HandWritten(f, "t.safetensors", """{"images":{"dtype":"F32","shape":[4,1,1,1],"data_offsets":[0,16]}}""", new byte[16]);
        byte[] bytes = File.ReadAllBytes(full);
        string truncated = f.Write("truncated.safetensors", bytes[..^5], gzip: false);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load(truncated));
        Assert.StartsWith($"{truncated}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
