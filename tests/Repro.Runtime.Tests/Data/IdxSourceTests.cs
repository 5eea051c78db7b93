using Repro.Runtime.Data;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Data;

public class IdxSourceTests
{
    // Three 2x2 images; labels 3, 0, 9.
    private static readonly byte[] Pixels = [0, 255, 51, 102, /**/ 1, 2, 3, 4, /**/ 200, 100, 50, 25];
    private static readonly byte[] Labels = [3, 0, 9];

    private static void WriteSplit(DataFiles f, bool gzip)
    {
        string ext = gzip ? ".gz" : "";
        f.IdxImages("train-images-idx3-ubyte" + ext, 3, 2, 2, Pixels, gzip);
        f.IdxLabels("train-labels-idx1-ubyte" + ext, Labels, gzip);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecodesFashionMnistFilesWithItsNormalisation(bool gzip)
    {
        using var f = new DataFiles();
        WriteSplit(f, gzip);
        using var data = DataSource.Load($"fashion-mnist:train@{f.Dir}");

        Assert.Equal(new long[] { 3, 1, 2, 2 }, data.Images.shape);
        Assert.True(data.Images.is_contiguous());
        // x = (b/255 - 0.2860) / 0.3530, by hand: 0 -> -0.810198, 255 -> 2.022663, 51 -> -0.243626, 102 -> 0.322946
        float[] first = data.Images[0].data<float>().ToArray();
        Assert.Equal(-0.810198f, first[0], 5);
        Assert.Equal(2.022663f, first[1], 5);
        Assert.Equal(-0.243626f, first[2], 5);
        Assert.Equal(0.322946f, first[3], 5);
        // The last pixel of the last image: 25 -> (25/255 - 0.286)/0.353 = -0.532466
        Assert.Equal(-0.532466f, data.Images[2, 0, 1, 1].item<float>(), 5);
        Assert.Equal(new long[] { 3, 0, 9 }, data.Labels!.data<long>().ToArray());

        DatasetDescription d = data.Description;
        Assert.Equal((3L, 1, 2, 2, 10), (d.Count, d.Channels, d.Height, d.Width, d.Classes));
        Assert.Equal([0.2860], d.Normalization.Mean);
        Assert.Equal([0.3530], d.Normalization.Std);
        Assert.Equal("fashion-mnist:train", d.Identity);
    }

    [Fact]
    public void MnistUsesItsOwnNormalisation()
    {
        using var f = new DataFiles();
        f.IdxImages("t10k-images-idx3-ubyte", 3, 2, 2, Pixels);
        f.IdxLabels("t10k-labels-idx1-ubyte", Labels);
        using var data = DataSource.Load($"mnist:test@{f.Dir}");
        // (255/255 - 0.1307) / 0.3081 = 2.821487
        Assert.Equal(2.821487f, data.Images[0, 0, 0, 1].item<float>(), 5);
        Assert.Equal([0.1307], data.Description.Normalization.Mean);
    }

    [Fact]
    public void ExplicitIdxFilesScaleToUnitRangeAndMayOmitLabels()
    {
        using var f = new DataFiles();
        string images = f.IdxImages("imgs", 3, 2, 2, Pixels);
        using var data = DataSource.Load($"idx:{images}");
        Assert.Null(data.Labels);
        Assert.False(data.Description.HasLabels);
        Assert.Equal(0, data.Description.Classes);
        Assert.Equal(new float[] { 200 / 255f, 100 / 255f, 50 / 255f, 25 / 255f }, data.Images[2].data<float>().ToArray());

        string labels = f.IdxLabels("lbls", Labels);
        using var labelled = DataSource.Load($"idx:imgs,lbls", f.Dir);
        Assert.Equal(10, labelled.Description.Classes); // largest label 9, plus one
    }

    [Fact]
    public void GzippedFileIsDetectedByContentNotName()
    {
        using var f = new DataFiles();
        string images = f.IdxImages("images.raw", 3, 2, 2, Pixels, gzip: true);
        using var data = DataSource.Load($"idx:{images}");
        Assert.Equal(3, data.Count);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        using var f = new DataFiles();
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"fashion-mnist:test@{f.Dir}"));
        Assert.Equal($"{f.PathOf("t10k-labels-idx1-ubyte.gz")}: file not found", e.Message);
    }

    [Fact]
    public void WrongMagicNamesTheFileAndBothMagics()
    {
        using var f = new DataFiles();
        string labels = f.IdxLabels("l", Labels);
        // A label file given as images.
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{labels}"));
        Assert.Equal($"{labels}: wrong magic 0x00000801 (an IDX label file); expected 0x00000803 for IDX images", e.Message);

        string notIdx = f.Write("text", "hello world, not idx"u8.ToArray(), gzip: false);
        e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{notIdx}"));
        Assert.StartsWith($"{notIdx}: wrong magic 0x68656c6c (not an IDX file)", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PayloadShorterThanTheHeaderSaysIsBadInput(bool gzip)
    {
        using var f = new DataFiles();
        string images = f.IdxImages("i", 3, 2, 2, Pixels[..11], gzip);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{images}"));
        string data = gzip ? "decompressed data" : "file";
        Assert.Equal($"{images}: IDX header says 3 images of 2x2 (28 bytes) but the {data} holds 27 bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PayloadLongerThanTheHeaderSaysIsBadInput(bool gzip)
    {
        using var f = new DataFiles();
        string images = f.IdxImages("i", 2, 2, 2, Pixels, gzip);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{images}"));
        Assert.Contains("IDX header says 2 images of 2x2 (24 bytes) but the", e.Message);
        Assert.EndsWith("holds 28 bytes", e.Message);
    }

    [Fact]
    public void LabelCountDisagreeingWithLengthIsBadInput()
    {
        using var f = new DataFiles();
        string labels = f.IdxLabels("l", Labels, count: 4);
        var e = Assert.Throws<BadInputException>(() => IdxSource.ReadLabels(labels));
        Assert.Equal($"{labels}: IDX header says 4 labels (12 bytes) but the file holds 11 bytes", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchNamesBothFiles()
    {
        using var f = new DataFiles();
        string images = f.IdxImages("i", 3, 2, 2, Pixels);
        string labels = f.IdxLabels("l", [1, 2]);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{images},{labels}"));
        Assert.Equal($"{images}: holds 3 images but {labels} holds 2 labels", e.Message);
    }

    [Fact]
    public void LabelBeyondTheClassCountIsBadInput()
    {
        using var f = new DataFiles();
        f.IdxImages("train-images-idx3-ubyte", 3, 2, 2, Pixels);
        string labels = f.IdxLabels("train-labels-idx1-ubyte", [1, 12, 2]);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"fashion-mnist:train@{f.Dir}"));
        Assert.Equal($"{labels}: label 12 at index 1 is out of range for 10 classes", e.Message);
    }

    [Fact]
    public void TruncatedHeaderAndImpossibleGzipAreBadInputBeforeAllocating()
    {
        using var f = new DataFiles();
        string tiny = f.Write("tiny", [0, 0, 8, 3, 0, 0], gzip: false);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{tiny}"));
        Assert.Equal($"{tiny}: truncated: the file holds 6 bytes, shorter than the 16-byte IDX image header", e.Message);

        // A gzip file of a few dozen bytes cannot hold 1,000,000 images of 1000x1000.
        string huge = f.IdxImages("huge.gz", 1_000_000, 1000, 1000, [], gzip: true);
        e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{huge}"));
        Assert.StartsWith($"{huge}: ", e.Message);
    }

    [Fact]
    public void EveryErrorIsOneLine()
    {
        using var f = new DataFiles();
        string images = f.IdxImages("i", 3, 2, 2, Pixels[..5]);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"idx:{images}"));
        Assert.DoesNotContain('\n', e.Message);
    }
}
