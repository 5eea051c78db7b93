using Newtonsoft.Json.Linq;

namespace Repro.Integration.Tests.Data;

/// <summary><c>repro data inspect</c> through the real CLI.</summary>
public class DataInspectTests
{
    [Fact]
    public void InspectsFashionMnistTest()
    {
        var r = ReproProcess.Repro("data inspect fashion-mnist:test");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("count          10000", r.StdOut);
        Assert.Contains("shape          [1, 28, 28]", r.StdOut);
        Assert.Contains("normalisation  fashion-mnist: mean [0.286] std [0.353]", r.StdOut);
        for (int k = 0; k < 10; k++) Assert.Contains($"{k,3}: 1000  (10.00%)", r.StdOut);
    }

    [Fact]
    public void JsonSummaryOfSyntheticData()
    {
        var r = ReproProcess.Repro("data inspect synthetic:n=300,c=2,h=4,w=4,classes=3,seed=1 --json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var j = JObject.Parse(r.StdOut);
        Assert.Equal(300, (long)j["count"]!);
        Assert.Equal(new[] { 2L, 4, 4 }, j["shape"]!.Values<long>());
        Assert.Equal(300, j["labels"]!.Values<long>().Sum());
        Assert.Equal(3, j["labels"]!.Count());
        Assert.Equal("synthetic:n=300,c=2,h=4,w=4,classes=3,seed=1", (string)j["identity"]!);
        Assert.Equal(new[] { 0.0, 0.0 }, j["normalization"]!["mean"]!.Values<double>());
        Assert.All(j["channelStd"]!.Values<double>(), s => Assert.InRange(s, 0.7, 1.3));
    }

    [Fact]
    public void MissingFileIsExit2WithOneLineNamingThePath()
    {
        using var tmp = ReproProcess.TempFolder();
        var r = ReproProcess.Repro($"data inspect fashion-mnist:train@{tmp.Path}");
        AssertBadInput(r, $"{tmp.File("train-labels-idx1-ubyte.gz")}: file not found");
    }

    [Fact]
    public void WrongMagicIsExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        string path = tmp.File("images");
        File.WriteAllBytes(path, [0, 0, 8, 1, 0, 0, 0, 1, 7]);   // an IDX label file
        var r = ReproProcess.Repro($"data inspect idx:{path}");
        AssertBadInput(r, $"{path}: wrong magic 0x00000801 (an IDX label file); expected 0x00000803 for IDX images");
    }

    [Fact]
    public void CifarSizeNotAMultipleOf3073IsExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        string path = tmp.File("data_batch_1.bin");
        File.WriteAllBytes(path, new byte[3072]);
        var r = ReproProcess.Repro($"data inspect cifar10:{path}");
        AssertBadInput(r, $"{path}: size 3072 bytes is not a positive multiple of the 3073-byte CIFAR-10 record (1 label + 3x32x32 pixels)");
    }

    [Fact]
    public void ImageLabelCountMismatchIsExit2()
    {
        using var tmp = ReproProcess.TempFolder();
        string images = tmp.File("i"), labels = tmp.File("l");
        File.WriteAllBytes(images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 10, 20]);   // 2 images of 1x1
        File.WriteAllBytes(labels, [0, 0, 8, 1, 0, 0, 0, 1, 4]);                               // 1 label
        var r = ReproProcess.Repro($"data inspect idx:{images},{labels}");
        AssertBadInput(r, $"{images}: holds 2 images but {labels} holds 1 labels");
    }

    [Fact]
    public void BadSpecIsExit2()
    {
        var r = ReproProcess.Repro("data inspect imagenet:val");
        AssertBadInput(r, "data spec 'imagenet:val': unknown kind 'imagenet'; expected fashion-mnist, mnist, idx, cifar10, tensors or synthetic");
    }

    [Fact]
    public void HelpDescribesTheSpecSyntax()
    {
        var r = ReproProcess.Repro("data inspect --help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("fashion-mnist:train|test[@dir]", r.StdOut);
        Assert.Contains("synthetic:n=", r.StdOut);
    }

    private static void AssertBadInput(ProcessResult r, string message)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal($"repro: error: {message}", r.StdErr.Trim());
        Assert.Equal("", r.StdOut);
    }
}
