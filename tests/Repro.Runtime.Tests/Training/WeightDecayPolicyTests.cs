using Repro.Runtime.Training;

namespace Repro.Runtime.Tests.Training;

public class WeightDecayPolicyTests
{
    [Fact]
    public void BatchNormParametersAndBiasesAreExempt()
    {
        var exempt = WeightDecayPolicy.ExemptNames(new TinyNet());
        Assert.Equal(new[] { "bn.bias", "bn.weight", "conv.bias", "fc.bias" }, exempt.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void PerParameterDecayFollowsTheSwitch()
    {
        var net = new TinyNet();
        var skip = WeightDecayPolicy.PerParameter(net, new TrainConfig { WeightDecay = 0.01, DecayBnAndBias = false });
        Assert.Equal(0.01, skip["conv.weight"]);
        Assert.Equal(0.01, skip["fc.weight"]);
        Assert.Equal(0.0, skip["bn.weight"]);
        Assert.Equal(0.0, skip["fc.bias"]);
        var all = WeightDecayPolicy.PerParameter(net, new TrainConfig { WeightDecay = 0.01, DecayBnAndBias = true });
        Assert.All(all.Values, v => Assert.Equal(0.01, v));
    }
}
