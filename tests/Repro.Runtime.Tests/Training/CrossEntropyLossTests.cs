using Repro.Runtime.Training;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class CrossEntropyLossTests
{
    // Logits ln 1, ln 2, ln 3 give softmax 1/6, 2/6, 3/6.
    private static Tensor Logits() => tensor(new[] { Math.Log(1), Math.Log(2), Math.Log(3) }, ScalarType.Float64).reshape(1, 3);

    [Fact]
    public void WithoutSmoothingItIsMinusLogOfTheTrueClass()
    {
        using var loss = new CrossEntropyLoss(0).Compute(Logits(), tensor(new long[] { 2 }));
        Assert.Equal(Math.Log(2), loss.item<double>(), 12);
    }

    [Fact]
    public void SmoothingMixesInTheMeanOverClasses()
    {
        // (1 − ε)·(−ln ½) + ε·mean(ln 6, ln 3, ln 2) with ε = 0.3.
        double expected = 0.7 * Math.Log(2) + 0.3 * (Math.Log(6) + Math.Log(3) + Math.Log(2)) / 3;
        using var loss = new CrossEntropyLoss(0.3).Compute(Logits(), tensor(new long[] { 2 }));
        Assert.Equal(expected, loss.item<double>(), 12);
    }

    [Fact]
    public void TheBatchLossIsTheMeanOverSamples()
    {
        using var logits = cat(new[] { Logits(), Logits() }, 0);
        using var loss = new CrossEntropyLoss(0).Compute(logits, tensor(new long[] { 0, 2 }));
        Assert.Equal((Math.Log(6) + Math.Log(2)) / 2, loss.item<double>(), 12);
    }

    [Fact]
    public void SmoothingOfOneOrMoreIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(1));
    }
}
