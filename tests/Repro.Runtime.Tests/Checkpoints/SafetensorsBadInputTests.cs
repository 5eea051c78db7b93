using Repro.Runtime.Checkpoints;

namespace Repro.Runtime.Tests.Checkpoints;

/// <summary>Each malformed file is a one-line BadInputException naming the path and the cause, for the header reader and the full reader.</summary>
public class SafetensorsBadInputTests
{
    private const string Ok2 = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    private static void AssertBad(byte[] bytes, string cause)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.safetensors", bytes);
        foreach (Action read in new Action[] { () => SafetensorsHeader.Read(path), () => SafetensorsReader.Read(path).Dispose() })
        {
            var e = Assert.Throws<BadInputException>(read);
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(cause, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void AWellFormedFileReads()
    {
        using var dir = new TempDir();
        string path = dir.Write("ok.safetensors", SafetensorsBytes.Make(Ok2, SafetensorsBytes.Floats(3, 4)));
        using var content = SafetensorsReader.Read(path);
        Assert.Equal(new float[] { 3, 4 }, content.Tensors["w"].data<float>().ToArray());
    }

    [Fact]
    public void MissingFile()
    {
        using var dir = new TempDir();
        string path = dir.File("nope.safetensors");
        var e = Assert.Throws<BadInputException>(() => SafetensorsReader.Read(path));
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void ShorterThanTheLengthField() => AssertBad([1, 0, 0], "truncated: 3 bytes");

    [Fact]
    public void EmptyFile() => AssertBad([], "truncated: 0 bytes");

    [Fact]
    public void HeaderLengthLargerThanTheFile() =>
        AssertBad(SafetensorsBytes.Make(Ok2, SafetensorsBytes.Floats(3, 4), declaredLength: 10_000), "header length 10000 is larger than the file allows");

    [Fact]
    public void HeaderLengthThatWouldOverflow() =>
        AssertBad(SafetensorsBytes.Make(Ok2, SafetensorsBytes.Floats(3, 4), declaredLength: ulong.MaxValue), "header length 18446744073709551615 is larger than the file allows");

    [Fact]
    public void TruncatedData() =>
        AssertBad(SafetensorsBytes.Make(Ok2, SafetensorsBytes.Floats(3)), "tensor 'w' data_offsets [0,8] run past the end of the data region (4 bytes)");

    [Fact]
    public void NotJson() => AssertBad(SafetensorsBytes.Make("{\"w\": nope}", []), "header is not valid JSON");

    [Fact]
    public void NotAnObject() => AssertBad(SafetensorsBytes.Make("[1,2,3]", []), "header does not start with '{'");

    [Fact]
    public void NotUtf8() => AssertBad(SafetensorsBytes.Make("{\"\xff\":1}", []).Select(b => b == 0xC3 ? (byte)0xFF : b).ToArray(), "header is not valid UTF-8");

    [Fact]
    public void OffsetsOutOfRange() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", SafetensorsBytes.Floats(3, 4)),
            "tensor 'w' data_offsets [8,16] run past the end of the data region (8 bytes)");

    [Fact]
    public void OverlappingOffsets() =>
        AssertBad(SafetensorsBytes.Make(
                """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
                SafetensorsBytes.Floats(1, 2, 3)),
            "tensor 'b' data_offsets [4,12] overlap tensor 'a' [0,8]");

    [Fact]
    public void AGapBetweenTensors() =>
        AssertBad(SafetensorsBytes.Make(
                """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""",
                SafetensorsBytes.Floats(1, 2, 3)),
            "tensor 'b' starts at data offset 8 but the previous tensor ends at 4");

    [Fact]
    public void TrailingBytesAfterTheLastTensor() =>
        AssertBad(SafetensorsBytes.Make(Ok2, SafetensorsBytes.Floats(3, 4, 5)), "the tensors cover 8 bytes but the data region holds 12");

    [Fact]
    public void EndBeforeBegin() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", new byte[4]), "data_offsets [4,0] end before they begin");

    [Fact]
    public void NegativeOffset() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"U8","shape":[4],"data_offsets":[-4,0]}}""", new byte[4]), "data_offsets[0] must be a non-negative integer, got -4");

    [Fact]
    public void UnknownDtype() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)), "tensor 'w': unknown dtype \"F31\"");

    [Fact]
    public void AFormatDtypeReproDoesNotRead() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"U16","shape":[4],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)), "tensor 'w': dtype U16 is not supported by Repro");

    [Fact]
    public void DtypeTimesShapeDisagreesWithTheByteLength() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)),
            "tensor 'w': F64 × [2] is 16 bytes but data_offsets [0,8] hold 8");

    [Fact]
    public void ShapeProductOverflows() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)),
            "shape [4294967296,4294967296] is too large");

    [Fact]
    public void NegativeDimension() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)), "shape[0] must be a non-negative integer, got -2");

    [Fact]
    public void MissingDataOffsets() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F32","shape":[2]}}""", SafetensorsBytes.Floats(3, 4)), "tensor 'w': data_offsets missing");

    [Fact]
    public void UnknownEntryField() =>
        AssertBad(SafetensorsBytes.Make("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"stride":[1]}}""", SafetensorsBytes.Floats(3, 4)), "tensor 'w': unknown field \"stride\"");

    [Fact]
    public void DuplicateTensorNames() =>
        AssertBad(SafetensorsBytes.Make(
                """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""",
                SafetensorsBytes.Floats(3, 4)),
            "header is not valid JSON: Property with the name 'w' already exists");

    [Fact]
    public void NonStringMetadata() =>
        AssertBad(SafetensorsBytes.Make("""{"__metadata__":{"epochs":3},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", SafetensorsBytes.Floats(3, 4)),
            "__metadata__[\"epochs\"] must be a string");

    [Fact]
    public void JunkAfterTheHeaderObject() =>
        AssertBad(SafetensorsBytes.Make(Ok2 + "{}", SafetensorsBytes.Floats(3, 4)), "header is not valid JSON");

    [Fact]
    public void SpacePaddingAfterTheHeaderIsAllowed()
    {
        using var dir = new TempDir();
        string path = dir.Write("padded.safetensors", SafetensorsBytes.Make(Ok2 + "      ", SafetensorsBytes.Floats(3, 4)));
        using var content = SafetensorsReader.Read(path);
        Assert.Equal(new float[] { 3, 4 }, content.Tensors["w"].data<float>().ToArray());
    }
}
