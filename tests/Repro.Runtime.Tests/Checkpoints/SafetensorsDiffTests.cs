using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Checkpoints;

public class SafetensorsDiffTests
{
    private static string Write(TempDir dir, string name, Dictionary<string, Tensor> tensors, Dictionary<string, string>? metadata = null)
    {
        string path = dir.File(name);
        SafetensorsWriter.Write(path, tensors, metadata);
        foreach (var t in tensors.Values) t.Dispose();
        return path;
    }

    [Fact]
    public void TheSameTensorsAreIdentical()
    {
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new() { ["w"] = arange(6f).reshape(2, 3), ["n"] = tensor(3L) }, new() { ["k"] = "v" });
        string b = Write(dir, "b.safetensors", new() { ["n"] = tensor(3L), ["w"] = arange(6f).reshape(2, 3) }, new() { ["k"] = "v" });

        var c = SafetensorsDiff.Compare(a, b);

        Assert.True(c.Identical);
        Assert.Equal(2, c.TensorNames);
    }

    [Fact]
    public void ADifferingTensorIsNamedWithItsMaxAbsoluteDifferenceAndCount()
    {
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new()
        {
            ["bn.running_var"] = tensor(new float[] { 1f, 2f, 3f, 4f }),
            ["bn.running_mean"] = tensor(new float[] { 0f, 0f }),
        });
        string b = Write(dir, "b.safetensors", new()
        {
            ["bn.running_var"] = tensor(new float[] { 1f, 2.5f, 3f, 3.75f }),
            ["bn.running_mean"] = tensor(new float[] { 0f, 0f }),
        });

        var c = SafetensorsDiff.Compare(a, b);

        var d = Assert.Single(c.Tensors);
        Assert.Equal("bn.running_var", d.Name);
        Assert.Equal(0.5, d.MaxAbsDifference);
        Assert.Equal(2, d.DifferingElements);
        Assert.Equal(4, d.Elements);
        Assert.Equal("F32", d.DType);
        Assert.Equal("[4]", d.Shape);
    }

    [Fact]
    public void AChangeFarIntoALargeTensorIsFound()
    {
        // Larger than one read chunk (1 MiB), so the change sits in a later chunk.
        using var dir = new TempDir();
        using var values = arange(400_000, dtype: ScalarType.Float64);
        string a = Write(dir, "a.safetensors", new() { ["x"] = values.clone() });
        using var changed = values.clone();
        using (var last = changed[399_999]) last.fill_(399_999.0 + 1e-9);
        string b = Write(dir, "b.safetensors", new() { ["x"] = changed.clone() });

        var d = Assert.Single(SafetensorsDiff.Compare(a, b).Tensors);

        Assert.Equal(1, d.DifferingElements);
        Assert.InRange(d.MaxAbsDifference!.Value, 0.9e-9, 1.1e-9);
    }

    [Fact]
    public void DTypeShapeAndPresenceDifferencesAreReportedWithoutValues()
    {
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new() { ["s"] = zeros(2, 3), ["t"] = zeros(4), ["gone"] = zeros(1) });
        string b = Write(dir, "b.safetensors", new() { ["s"] = zeros(3, 2), ["t"] = zeros(4, dtype: ScalarType.Float64), ["new"] = zeros(1) });

        var c = SafetensorsDiff.Compare(a, b);

        Assert.Equal(4, c.TensorNames);
        Assert.Equal(new[] { "gone", "s", "t", "new" }, c.Tensors.Select(t => t.Name));
        Assert.All(c.Tensors, t => Assert.Null(t.MaxAbsDifference));
        Assert.Equal("missing in actual", c.Tensors[0].Problem);
        Assert.Equal("F32 [2,3] vs F32 [3,2]", c.Tensors[1].Problem);
        Assert.Equal("F32 [4] vs F64 [4]", c.Tensors[2].Problem);
        Assert.Equal("missing in expected", c.Tensors[3].Problem);
    }

    [Fact]
    public void MetadataDifferencesAreListedByKey()
    {
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new() { ["x"] = zeros(1) }, new() { ["same"] = "1", ["changed"] = "a", ["gone"] = "g" });
        string b = Write(dir, "b.safetensors", new() { ["x"] = zeros(1) }, new() { ["same"] = "1", ["changed"] = "b", ["added"] = "n" });

        var c = SafetensorsDiff.Compare(a, b);

        Assert.Empty(c.Tensors);
        Assert.False(c.Identical);
        Assert.Equal(new[]
        {
            new MetadataDifference("added", null, "n"),
            new MetadataDifference("changed", "a", "b"),
            new MetadataDifference("gone", "g", null),
        }, c.Metadata);
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    public void FloatDifferencesAreMeasuredInTheStoredPrecision(string dtype)
    {
        // 1.5 and 1.75 are exact in every float format.
        var type = dtype switch { "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16, _ => ScalarType.Float64 };
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new() { ["x"] = tensor(new[] { 1.5, -2.0 }).to(type) });
        string b = Write(dir, "b.safetensors", new() { ["x"] = tensor(new[] { 1.75, -2.0 }).to(type) });

        var d = Assert.Single(SafetensorsDiff.Compare(a, b).Tensors);

        Assert.Equal(0.25, d.MaxAbsDifference);
        Assert.Equal(dtype, d.DType);
    }

    [Fact]
    public void NaNAgainstANumberIsInfinitelyFarAndIntegersAreExact()
    {
        Span<byte> nan = stackalloc byte[4], one = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(nan, float.NaN);
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(one, 1f);
        Assert.Equal(double.PositiveInfinity, SafetensorsDiff.AbsDifference("F32", nan, one));

        Span<byte> max = stackalloc byte[8], min = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(max, long.MaxValue);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(min, long.MaxValue - 1);
        Assert.Equal(1.0, SafetensorsDiff.AbsDifference("I64", max, min));
    }

    [Fact]
    public void ABrokenFileIsBadInputNamingIt()
    {
        using var dir = new TempDir();
        string a = Write(dir, "a.safetensors", new() { ["x"] = zeros(1) });
        string broken = dir.Write("broken.safetensors", [1, 2, 3]);

        var e = Assert.Throws<BadInputException>(() => SafetensorsDiff.Compare(a, broken));
        Assert.Contains("broken.safetensors", e.Message);
    }
}
