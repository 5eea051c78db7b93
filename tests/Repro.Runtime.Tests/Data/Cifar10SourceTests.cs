using Repro.Runtime.Data;

namespace Repro.Runtime.Tests.Data;

public class Cifar10SourceTests
{
    [Fact]
    public void DecodesRecordsAsChannelPlanesWithPerChannelNormalisation()
    {
        using var f = new DataFiles();
        string a = f.Cifar("a.bin", 6, 2);   // records 0, 1
        string b = f.Cifar("b.bin", 9);      // record 0 of the second file
        using var data = DataSource.Load($"cifar10:{a},{b}");

        Assert.Equal(new long[] { 3, 3, 32, 32 }, data.Images.shape);
        Assert.Equal(new long[] { 6, 2, 9 }, data.Labels!.data<long>().ToArray());
        // Record 1, pixel j = (7 + j) mod 256. Channel 0 (R) pixel 0 is j=0 -> byte 7;
        // channel 1 (G) pixel 0 is j=1024 -> (7+1024)%256 = 7; channel 2 (B) row 1 col 2 is j=2048+34 -> (7+2082)%256 = 41.
        // R: (7/255 - 0.4914)/0.2470 = -1.878336;  G: (7/255 - 0.4822)/0.2435 = -1.867552;  B: (41/255 - 0.4465)/0.2616 = -1.092185
        Assert.Equal(-1.878336f, data.Images[1, 0, 0, 0].item<float>(), 5);
        Assert.Equal(-1.867552f, data.Images[1, 1, 0, 0].item<float>(), 5);
        Assert.Equal(-1.092185f, data.Images[1, 2, 1, 2].item<float>(), 5);
        // The third sample comes from b.bin's first record: byte j=5 -> 5.
        Assert.Equal((float)((5 / 255.0 - 0.4914) / 0.2470), data.Images[2, 0, 0, 5].item<float>());

        Assert.Equal([0.4914, 0.4822, 0.4465], data.Description.Normalization.Mean);
        Assert.Equal([0.2470, 0.2435, 0.2616], data.Description.Normalization.Std);
        Assert.Equal(10, data.Description.Classes);
    }

    [Fact]
    public void SplitFolderNamesTheFiveTrainingBatches()
    {
        using var f = new DataFiles();
        Directory.CreateDirectory(f.PathOf("cifar-10-batches-bin"));
        for (int i = 1; i <= 5; i++) f.Cifar($"cifar-10-batches-bin/data_batch_{i}.bin", (byte)i);
        using var data = DataSource.Load($"cifar10:train@{f.Dir}");
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, data.Labels!.data<long>().ToArray());
    }

    [Fact]
    public void SizeNotAMultipleOf3073IsBadInput()
    {
        using var f = new DataFiles();
        string bad = f.Write("bad.bin", new byte[3073 * 2 + 5], gzip: false);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"cifar10:{bad}"));
        Assert.Equal($"{bad}: size 6151 bytes is not a positive multiple of the 3073-byte CIFAR-10 record (1 label + 3x32x32 pixels)", e.Message);
    }

    [Fact]
    public void LabelAboveNineIsBadInput()
    {
        using var f = new DataFiles();
        string bad = f.Cifar("bad.bin", 1, 10);
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"cifar10:{bad}"));
        Assert.Equal($"{bad}: record 1 has label 10; CIFAR-10 labels are 0-9", e.Message);
    }

    [Fact]
    public void MissingBatchNamesThePath()
    {
        using var f = new DataFiles();
        var e = Assert.Throws<BadInputException>(() => DataSource.Load($"cifar10:test@{f.Dir}"));
        Assert.Equal($"{f.PathOf("test_batch.bin")}: file not found", e.Message);
    }
}
