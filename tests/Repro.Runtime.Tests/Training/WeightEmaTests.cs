using Repro.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class WeightEmaTests
{
    /// <summary>One float64 parameter "w", a float64 buffer "stat" and an int64 buffer "count".</summary>
    private sealed class Holder : nn.Module<Tensor, Tensor>
    {
        public readonly Parameter w = new(zeros(2, dtype: ScalarType.Float64));
        public Holder() : base(nameof(Holder))
        {
            register_buffer("stat", zeros(1, dtype: ScalarType.Float64));
            register_buffer("count", zeros(1, dtype: ScalarType.Int64));
            RegisterComponents();
        }
        public Tensor Stat => get_buffer("stat")!;
        public Tensor Count => get_buffer("count")!;
        public override Tensor forward(Tensor x) => x;

        public void Set(double w0, double stat, long count)
        {
            using var noGrad = no_grad();
            w.fill_(w0);
            Stat.fill_(stat);
            Count.fill_(count);
        }
    }

    [Fact]
    public void EachUpdateMovesTheAverageByOneMinusDecayOfTheGap()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.9));
        m.Set(1, 0, 0);
        ema.Update(m, 0.9);           // e = 0 + 0.1·(1 − 0) = 0.1
        Assert.Equal(0.1, ema.StateDict()["w"][0].item<double>(), 15);
        ema.Update(m, 0.9);           // e = 0.1 + 0.1·0.9 = 0.19
        Assert.Equal(0.19, ema.StateDict()["w"][0].item<double>(), 15);
        Assert.Equal(2, ema.Updates);
    }

    [Fact]
    public void UpdatesOnlyEveryInterval()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.5, Interval: 3));
        m.Set(1, 0, 0);
        Assert.Equal(new[] { false, false, true, false, false, true }, Enumerable.Range(1, 6).Select(t => ema.MaybeUpdate(m, t)));
        Assert.Equal(0.75, ema.StateDict()["w"][1].item<double>(), 15); // 0 → 0.5 → 0.75
    }

    [Fact]
    public void WarmupFollowsTheDocumentedFormula()
    {
        using var ema = new WeightEma(new Holder(), new EmaConfig(Decay: 0.999, WarmupSteps: 100));
        Assert.Equal(0.999 * (1 - Math.Exp(-1 / 100.0)), ema.DecayAt(1), 15);
        Assert.Equal(0.999 * (1 - Math.Exp(-1.0)), ema.DecayAt(100), 15);
        Assert.True(ema.DecayAt(2000) > 0.998);
        using var plain = new WeightEma(new Holder(), new EmaConfig(Decay: 0.999));
        Assert.Equal(0.999, plain.DecayAt(1));
    }

    [Fact]
    public void BuffersAreCopiedByDefault()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.9));
        m.Set(1, 5, 7);
        ema.Update(m, 0.9);
        var s = ema.StateDict();
        Assert.Equal(5.0, s["stat"][0].item<double>());
        Assert.Equal(7L, s["count"][0].item<long>());
    }

    [Fact]
    public void AveragedBuffersBlendButIntegerBuffersAreStillCopied()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.9, Buffers: EmaBufferMode.Average));
        m.Set(1, 5, 7);
        ema.Update(m, 0.9);
        var s = ema.StateDict();
        Assert.Equal(0.5, s["stat"][0].item<double>(), 15);   // 0 + 0.1·5
        Assert.Equal(7L, s["count"][0].item<long>());
    }

    [Fact]
    public void StateRoundTripsWithItsUpdateCount()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.9));
        m.Set(1, 2, 3);
        ema.Update(m, 0.9);
        using var other = new WeightEma(new Holder(), new EmaConfig(Decay: 0.9));
        other.Load(ema.StateDict(), ema.Updates);
        StateAssert.BitEqual(ema.StateDict(), other.StateDict(), "ema");
        Assert.Equal(1, other.Updates);
        var missing = ema.StateDict().Where(kv => kv.Key != "stat").ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Throws<InvalidDataException>(() => other.Load(missing, 1));
    }

    [Fact]
    public void TheAverageIsIndependentOfTheModelsLaterChanges()
    {
        var m = new Holder();
        using var ema = new WeightEma(m, new EmaConfig(Decay: 0.9));
        m.Set(3, 3, 3);
        Assert.Equal(0.0, ema.StateDict()["w"][0].item<double>());
    }
}
