using Repro.Runtime.Training;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class AugmentationTests
{
    // Two 2-channel 3×4 images with distinct values: 100·b + 10·c + 4·y + x would collide, so use arange.
    private static Tensor Images() => arange(2 * 2 * 3 * 4, dtype: ScalarType.Float32).reshape(2, 2, 3, 4).add(1);

    [Fact]
    public void CropPicksTheWindowAtTheDrawnOffsetOfTheZeroPaddedImage()
    {
        var aug = new Augmentation(new AugmentConfig(RandomCropPadding: 1));
        using var x = Images();
        var draws = new[] { new Augmentation.Draw(0, 2, false), new Augmentation.Draw(1, 1, false) };
        using var y = aug.Apply(x, draws);
        using var padded = nn.functional.pad(x, new long[] { 1, 1, 1, 1 });
        // Image 0: rows 0..2, cols 2..5 of the padded image; image 1 (offset 1,1) is the original.
        TensorAssert.BitEqual(padded[0, .., 0..3, 2..6], y[0], "image 0");
        TensorAssert.BitEqual(x[1], y[1], "image 1");
        Assert.Equal(0f, y[0, 0, 0, 0].item<float>()); // the top padding row
    }

    [Fact]
    public void FlipMirrorsTheColumnsOfFlippedImagesOnly()
    {
        var aug = new Augmentation(new AugmentConfig(HorizontalFlip: true));
        using var x = Images();
        using var y = aug.Apply(x, new[] { new Augmentation.Draw(0, 0, true), new Augmentation.Draw(0, 0, false) });
        TensorAssert.BitEqual(x[0].flip(2), y[0], "flipped");
        TensorAssert.BitEqual(x[1], y[1], "kept");
    }

    [Fact]
    public void CropAndFlipTogetherFlipTheCroppedWindow()
    {
        var aug = new Augmentation(new AugmentConfig(RandomCropPadding: 2, HorizontalFlip: true));
        using var x = Images();
        using var y = aug.Apply(x, new[] { new Augmentation.Draw(1, 3, true), new Augmentation.Draw(2, 2, true) });
        using var padded = nn.functional.pad(x, new long[] { 2, 2, 2, 2 });
        TensorAssert.BitEqual(padded[0, .., 1..4, 3..7].flip(2), y[0], "image 0");
        TensorAssert.BitEqual(x[1].flip(2), y[1], "image 1");
    }

    [Fact]
    public void DrawsComeFromTheSeededGeneratorInAFixedOrder()
    {
        var aug = new Augmentation(new AugmentConfig(RandomCropPadding: 4, HorizontalFlip: true));
        var a = aug.DrawBatch(new SeededRandom(9), 64);
        Assert.Equal(a, aug.DrawBatch(new SeededRandom(9), 64));
        Assert.NotEqual(a, aug.DrawBatch(new SeededRandom(10), 64));
        Assert.All(a, d => { Assert.InRange(d.Top, 0, 8); Assert.InRange(d.Left, 0, 8); });
        Assert.Contains(a, d => d.Flip);
        Assert.Contains(a, d => !d.Flip);
    }

    [Fact]
    public void DisabledAugmentationReturnsTheBatchAndDrawsNothing()
    {
        var aug = new Augmentation(new AugmentConfig());
        var rng = new SeededRandom(1);
        string before = rng.StateHex;
        using var x = Images();
        Assert.Same(x, aug.Apply(x, rng));
        Assert.Equal(before, rng.StateHex);
    }
}
