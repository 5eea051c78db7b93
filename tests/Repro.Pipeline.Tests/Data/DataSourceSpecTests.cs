using Repro.Pipeline.Data;

namespace Repro.Pipeline.Tests.Data;

public class DataSourceSpecTests
{
    private const string Fm = DataSourceSpec.FashionMnistDefaultDirectory;

    [Fact]
    public void FashionMnistDefaultsToDebiansFolderAndPrefersGzip()
    {
        var s = DataSourceSpec.Parse("fashion-mnist:train");
        Assert.Equal(DataSourceKind.FashionMnist, s.Kind);
        Assert.Equal("train", s.Split);
        Assert.Equal(new[] { $"{Fm}/train-images-idx3-ubyte.gz", $"{Fm}/train-labels-idx1-ubyte.gz" }, s.Files);
        Assert.Equal("fashion-mnist:train", s.Identity);
        Assert.Equal($"{Fm}/t10k-images-idx3-ubyte.gz", DataSourceSpec.Parse("fashion-mnist:test").ImagesFile);
    }

    [Fact]
    public void SplitFolderResolvesAgainstTheBaseAndFallsBackToRawFiles()
    {
        string dir = Directory.CreateTempSubdirectory("repro-spec-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "fm"));
            File.WriteAllBytes(Path.Combine(dir, "fm", "t10k-images-idx3-ubyte"), [0]);
            var s = DataSourceSpec.Parse("mnist:test@fm", dir);
            Assert.Equal(Path.Combine(dir, "fm", "t10k-images-idx3-ubyte"), s.ImagesFile);       // raw exists, gz does not
            Assert.Equal(Path.Combine(dir, "fm", "t10k-labels-idx1-ubyte.gz"), s.LabelsFile);    // neither: the gz name
            Assert.Equal("mnist:test", s.Identity);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void IdxTakesImagesAndOptionalLabels()
    {
        var s = DataSourceSpec.Parse("idx:a/imgs.gz, a/lbls.gz", "/data");
        Assert.Equal(DataSourceKind.Idx, s.Kind);
        Assert.Equal(new[] { "/data/a/imgs.gz", "/data/a/lbls.gz" }, s.Files);
        Assert.Equal("idx", s.Identity);
        Assert.Null(DataSourceSpec.Parse("idx:/x/imgs").LabelsFile);
        Assert.Equal("idx:/x/imgs", DataSourceSpec.Parse("idx:/x/imgs").ToString());
    }

    [Fact]
    public void Cifar10BySplitOrByFiles()
    {
        var train = DataSourceSpec.Parse("cifar10:train@/c");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"/c/data_batch_{i}.bin"), train.Files);
        Assert.Equal(new[] { "/c/test_batch.bin" }, DataSourceSpec.Parse("cifar10:test@/c").Files);
        var files = DataSourceSpec.Parse("cifar10:b2.bin,b1.bin", "/d");
        Assert.Equal(new[] { "/d/b2.bin", "/d/b1.bin" }, files.Files);
        Assert.Equal("cifar10", files.Identity);
    }

    [Fact]
    public void TensorFilesWithOrWithoutPrefix()
    {
        Assert.Equal("/w/x.safetensors", DataSourceSpec.Parse("tensors:x.safetensors", "/w").TensorFile);
        var bare = DataSourceSpec.Parse("sub/calib.safetensors", "/w");
        Assert.Equal(DataSourceKind.Tensors, bare.Kind);
        Assert.Equal(new[] { "/w/sub/calib.safetensors" }, bare.Files);
    }

    [Fact]
    public void SyntheticHasACanonicalParameterString()
    {
        var a = DataSourceSpec.Parse("synthetic:seed=1, classes=10,n=512");
        var b = DataSourceSpec.Parse("synthetic:n=512,c=1,h=28,w=28,classes=10,seed=1");
        Assert.Equal("n=512,c=1,h=28,w=28,classes=10,seed=1", a.Synthetic!.Canonical);
        Assert.Equal(a.Identity, b.Identity);
        Assert.Equal("synthetic:n=512,c=1,h=28,w=28,classes=10,seed=1", a.Identity);
        Assert.Empty(a.Files);
        Assert.NotEqual(a.Identity, DataSourceSpec.Parse("synthetic:n=512,seed=2").Identity);
    }

    [Theory]
    [InlineData("", "data spec '': empty; expected e.g. fashion-mnist:train, idx:<images>[,<labels>] or synthetic:n=512")]
    [InlineData("imagenet:train", "data spec 'imagenet:train': unknown kind 'imagenet'; expected fashion-mnist, mnist, idx, cifar10, tensors or synthetic")]
    [InlineData("data.bin", "data spec 'data.bin': expected <kind>:<…> with kind fashion-mnist, mnist, idx, cifar10, tensors or synthetic, or a *.safetensors file")]
    [InlineData("fashion-mnist:valid", "data spec 'fashion-mnist:valid': split 'valid' is neither train nor test")]
    [InlineData("fashion-mnist:train@", "data spec 'fashion-mnist:train@': no folder after '@'")]
    [InlineData("mnist:train", "data spec 'mnist:train': mnist has no default folder; write mnist:train@<dir>")]
    [InlineData("cifar10:test", "data spec 'cifar10:test': cifar10 has no default folder; write cifar10:test@<dir>")]
    [InlineData("idx:", "data spec 'idx:': empty file name in 'idx:' list")]
    [InlineData("idx:a,b,c", "data spec 'idx:a,b,c': idx takes an image file and optionally a label file, got 3 files")]
    [InlineData("cifar10:a.bin,,b.bin", "data spec 'cifar10:a.bin,,b.bin': empty file name in 'cifar10:' list")]
    [InlineData("tensors:", "data spec 'tensors:': no file after 'tensors:'")]
    [InlineData("synthetic:c=3", "data spec 'synthetic:c=3': synthetic needs n=<sample count>")]
    [InlineData("synthetic:n=10,depth=3", "data spec 'synthetic:n=10,depth=3': unknown synthetic parameter 'depth'; known: n, c, h, w, classes, seed")]
    [InlineData("synthetic:n=10,n=20", "data spec 'synthetic:n=10,n=20': synthetic parameter 'n' given twice")]
    [InlineData("synthetic:n=ten", "data spec 'synthetic:n=ten': synthetic parameter n=ten is not a non-negative integer")]
    [InlineData("synthetic:n=-4", "data spec 'synthetic:n=-4': synthetic parameter n=-4 is not a non-negative integer")]
    [InlineData("synthetic:n=0", "data spec 'synthetic:n=0': synthetic parameter n=0 must be between 1 and 2147483647")]
    [InlineData("synthetic:n=5,classes=0", "data spec 'synthetic:n=5,classes=0': synthetic parameter classes=0 must be between 1 and 65536")]
    [InlineData("synthetic:n=5,,c=1", "data spec 'synthetic:n=5,,c=1': empty synthetic parameter; expected n=…,c=…,h=…,w=…,classes=…,seed=…")]
    [InlineData("synthetic:n", "data spec 'synthetic:n': synthetic parameter 'n' has no value; write n=<integer>")]
    [InlineData("synthetic:n=100000000,c=3,h=224,w=224", "data spec 'synthetic:n=100000000,c=3,h=224,w=224': synthetic images of 100000000x3x224x224 floats exceed 16 GiB")]
    public void MalformedSpecsAreOneLineBadInputNamingTheSpec(string spec, string message)
    {
        var e = Assert.Throws<BadInputException>(() => DataSourceSpec.Parse(spec));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
