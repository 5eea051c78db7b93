using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Exponential moving average of a model's weights (Polyak &amp; Juditsky 1992; timm's ModelEma).
/// <para>
/// Every <c>interval</c>-th optimizer step t (1-based, counted over the whole run) updates each floating
/// parameter e ← e + (1 − d_t)(p − e). Without warm-up d_t = decay. With warm-up over τ = warmupSteps,
/// d_t = decay·(1 − exp(−t/τ)) (the ramp of YOLOv5's and mmdetection's ExpMomentumEMA): early on d_t ≈ 0
/// and the average follows the fast-moving weights instead of remembering the random init; after a few τ
/// it is the plain decay.
/// </para>
/// <para>
/// Buffers are copied from the model on every update by default; with <see cref="EmaBufferMode.Average"/>
/// floating buffers (BatchNorm running mean/var) are averaged like weights. Integer buffers
/// (num_batches_tracked) are always copied: an average of counters is not a counter. Either way the BN
/// statistics belong to the raw weights, which is why the <c>ema</c> stage recomputes them with Precise BN.
/// </para>
/// The average is kept in the model's own state_dict names, so it saves as a regular model checkpoint.
/// </summary>
public sealed class WeightEma : IDisposable
{
    private readonly (string Name, Tensor Value)[] _params;
    private readonly (string Name, Tensor Value)[] _buffers;

    /// <summary>Starts the average at the model's current weights and buffers.</summary>
    public WeightEma(nn.Module model, EmaConfig config)
    {
        Config = config;
        using var noGrad = no_grad();
        _params = model.named_parameters().Select(p => (p.name, p.parameter.detach().clone())).ToArray();
        _buffers = model.named_buffers().Select(b => (b.name, b.buffer.detach().clone())).ToArray();
    }

    public EmaConfig Config { get; }

    /// <summary>How many updates were applied so far.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay used at optimizer step <paramref name="step"/> (1-based).</summary>
    public double DecayAt(long step) =>
        Config.WarmupSteps > 0 ? Config.Decay * (1 - Math.Exp(-step / Config.WarmupSteps)) : Config.Decay;

    /// <summary>Call after optimizer step <paramref name="step"/> (1-based); updates only on multiples of the interval.</summary>
    public bool MaybeUpdate(nn.Module model, long step)
    {
        if (step % Config.Interval != 0) return false;
        Update(model, DecayAt(step));
        return true;
    }

    /// <summary>One update with decay <paramref name="decay"/>, regardless of the interval.</summary>
    public void Update(nn.Module model, double decay)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double w = 1 - decay;
        int i = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            var (emaName, e) = _params[i++];
            if (emaName != name) throw new InvalidOperationException($"EMA parameter {emaName} does not match model parameter {name}");
            Blend(e, p, w);
        }
        i = 0;
        foreach (var (name, b) in model.named_buffers())
        {
            var (emaName, e) = _buffers[i++];
            if (emaName != name) throw new InvalidOperationException($"EMA buffer {emaName} does not match model buffer {name}");
            if (Config.Buffers == EmaBufferMode.Average && e.is_floating_point())
                Blend(e, b, w);
            else
                e.copy_(b);
        }
        Updates++;
    }

    // e ← e + w·(p − e), written as the formula so it is the same arithmetic on every backend.
    private static void Blend(Tensor e, Tensor p, double w) => e.add_(p.sub(e), alpha: w);

    /// <summary>Clones of the averaged weights and buffers under the model's state_dict names.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in _params.Concat(_buffers)) d[name] = t.detach().clone();
        return d;
    }

    /// <summary>Restores the average (and the update count) from a checkpoint.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state, long updates)
    {
        using var noGrad = no_grad();
        foreach (var (name, e) in _params.Concat(_buffers))
        {
            if (!state.TryGetValue(name, out Tensor? t))
                throw new InvalidDataException($"EMA state has no \"{name}\"");
            if (!t.shape.SequenceEqual(e.shape) || t.dtype != e.dtype)
                throw new InvalidDataException($"EMA \"{name}\" is {t.dtype}[{string.Join(",", t.shape)}], expected {e.dtype}[{string.Join(",", e.shape)}]");
            e.copy_(t);
        }
        int expected = _params.Length + _buffers.Length;
        if (state.Count != expected)
            throw new InvalidDataException($"EMA state has {state.Count} tensors, the model has {expected}");
        Updates = updates;
    }

    public void Dispose()
    {
        foreach (var (_, t) in _params.Concat(_buffers)) t.Dispose();
    }
}
