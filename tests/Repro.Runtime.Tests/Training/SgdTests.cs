using Repro.Runtime.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class SgdTests
{
    // One parameter p0 = 1 with loss 0.5·p, so ∇p = 0.5; λ = 0.1, μ = 0.9, η = 0.1 (values worked in the comments).
    private static double[] TwoSteps(bool nesterov)
    {
        var p = new Parameter(tensor(new[] { 1.0 }, ScalarType.Float64));
        var sgd = new Sgd(new[] { ("p", p) }, new Dictionary<string, double> { ["p"] = 0.1 }, 0.9, nesterov);
        var values = new List<double>();
        for (int i = 0; i < 2; i++)
        {
            sgd.ZeroGrad();
            (p * 0.5).sum().backward();
            sgd.Step(0.1);
            values.Add(p.item<double>());
        }
        return values.ToArray();
    }

    [Fact]
    public void NesterovMatchesTheUpdateWorkedByHand()
    {
        // d1 = 0.6, b1 = 0.6, p1 = 1 − 0.1·(0.6 + 0.54) = 0.886;
        // d2 = 0.5 + 0.0886 = 0.5886, b2 = 0.54 + 0.5886 = 1.1286, p2 = 0.886 − 0.1·(0.5886 + 1.01574) = 0.725566.
        double[] p = TwoSteps(nesterov: true);
        Assert.Equal(0.886, p[0], 12);
        Assert.Equal(0.725566, p[1], 12);
    }

    [Fact]
    public void ClassicalMomentumMatchesTheUpdateWorkedByHand()
    {
        // p1 = 1 − 0.1·0.6 = 0.94; d2 = 0.594, b2 = 0.54 + 0.594 = 1.134, p2 = 0.94 − 0.1134 = 0.8266.
        double[] p = TwoSteps(nesterov: false);
        Assert.Equal(0.94, p[0], 12);
        Assert.Equal(0.8266, p[1], 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IsBitIdenticalToTorchSharpsOwnSgd(bool nesterov)
    {
        var ours = TinyNet.Seeded(1);
        var theirs = TinyNet.Seeded(1);
        var data = TinyNet.Data.Make(32);
        var wd = ours.named_parameters().ToDictionary(p => p.name, _ => 5e-4);
        using var sgd = new Sgd(ours.named_parameters(), wd, 0.9, nesterov);
        using var reference = optim.SGD(theirs.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: nesterov);
        for (int step = 0; step < 5; step++)
        {
            sgd.ZeroGrad();
            nn.functional.cross_entropy(ours.forward(data.Images), data.Labels).backward();
            sgd.Step(0.05);
            reference.zero_grad();
            nn.functional.cross_entropy(theirs.forward(data.Images), data.Labels).backward();
            reference.step();
        }
        foreach (var ((name, a), (_, b)) in ours.named_parameters().Zip(theirs.named_parameters()))
            TensorAssert.BitEqual(b, a, $"{name} against torch.optim.SGD");
    }

    [Fact]
    public void ExemptParametersAreNotDecayed()
    {
        // With a zero gradient only decay moves a parameter: p ← p − η·λ·p.
        var decayed = new Parameter(tensor(new[] { 2.0 }, ScalarType.Float64));
        var exempt = new Parameter(tensor(new[] { 2.0 }, ScalarType.Float64));
        var sgd = new Sgd(new[] { ("w", decayed), ("b", exempt) }, new Dictionary<string, double> { ["w"] = 0.5, ["b"] = 0 }, 0, false);
        ((decayed + exempt) * 0).sum().backward();
        sgd.Step(0.1);
        Assert.Equal(2.0 - 0.1 * 0.5 * 2.0, decayed.item<double>(), 15);
        Assert.Equal(2.0, exempt.item<double>());
    }

    [Fact]
    public void MomentumBuffersRoundTripByName()
    {
        var p = new Parameter(tensor(new[] { 1.0, 2.0 }, ScalarType.Float64));
        var sgd = new Sgd(new[] { ("layer.weight", p) }, new Dictionary<string, double>(), 0.9, false);
        Assert.Empty(sgd.MomentumBuffers());
        (p * p).sum().backward();
        sgd.Step(0.1);
        var saved = sgd.MomentumBuffers();
        Assert.Equal(new[] { 2.0, 4.0 }, saved["layer.weight"].data<double>().ToArray());

        var p2 = new Parameter(tensor(new[] { 1.0, 2.0 }, ScalarType.Float64));
        var restored = new Sgd(new[] { ("layer.weight", p2) }, new Dictionary<string, double>(), 0.9, false);
        restored.LoadMomentumBuffers(saved);
        TensorAssert.BitEqual(saved["layer.weight"], restored.MomentumBuffers()["layer.weight"], "momentum");
        Assert.Throws<InvalidDataException>(() => restored.LoadMomentumBuffers(new Dictionary<string, Tensor> { ["other"] = zeros(2) }));
        Assert.Throws<InvalidDataException>(() => restored.LoadMomentumBuffers(new Dictionary<string, Tensor> { ["layer.weight"] = zeros(3, dtype: ScalarType.Float64) }));
    }
}
