using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Tests.Hashing;

public class DataFingerprintTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-data-").FullName;
    private readonly FileHashMemo _memo = new(null);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SyntheticOptionOrderAndSpacingDoNotMatter()
    {
        var a = DataFingerprint.Compute("synthetic:n=512,c=1,h=28,w=28,classes=10,seed=1", _dir, _memo, "t");
        var b = DataFingerprint.Compute("synthetic:seed=1,classes=10,w=28,h=28,c=1,n=512", _dir, _memo, "t");
        var c = DataFingerprint.Compute("synthetic:n=512,c=1,h=28,w=28,classes=10,seed=2", _dir, _memo, "t");
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
    }

    [Fact]
    public void FilesCountByContentNotByPath()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "a"));
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
        File.WriteAllText(Path.Combine(_dir, "a", "img.idx"), "images");
        File.WriteAllText(Path.Combine(_dir, "b", "img.idx"), "images");
        var a = DataFingerprint.Compute("idx:a/img.idx", _dir, _memo, "t");
        var b = DataFingerprint.Compute($"idx:{Path.Combine(_dir, "b", "img.idx")}", "/", _memo, "t");
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        File.WriteAllText(Path.Combine(_dir, "b", "img.idx"), "images!");
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "b", "img.idx"), DateTime.UtcNow.AddHours(1));
        Assert.NotEqual(a.Fingerprint, DataFingerprint.Compute("idx:b/img.idx", _dir, _memo, "t").Fingerprint);
    }

    [Fact]
    public void FashionMnistFolderSpecFindsGzipOrRawFiles()
    {
        File.WriteAllText(Path.Combine(_dir, "train-images-idx3-ubyte"), "raw images");
        File.WriteAllText(Path.Combine(_dir, "train-labels-idx1-ubyte.gz"), "gz labels");
        var f = DataFingerprint.Compute($"fashion-mnist:train@{_dir}", "/", _memo, "t");
        Assert.Equal(new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz" }, f.Files.Select(x => x.Name));
    }

    [Theory]
    [InlineData("idx:missing.idx", "missing.idx not found")]
    [InlineData("fashion-mnist:val", "neither train nor test")]
    [InlineData("mnist:train", "no default folder")]
    [InlineData("parquet:x", "unknown kind")]
    [InlineData("synthetic:n", "has no value")]
    public void BadSpecsNameTheSettingAndTheCause(string spec, string cause)
    {
        var e = Assert.Throws<BadInputException>(() => DataFingerprint.Compute(spec, _dir, _memo, "experiment.json data.train"));
        Assert.StartsWith("experiment.json data.train", e.Message);
        Assert.Contains(spec, e.Message);
        Assert.Contains(cause, e.Message);
    }
}
