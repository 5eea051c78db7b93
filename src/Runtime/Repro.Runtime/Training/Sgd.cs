using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Stochastic gradient descent with momentum, optional Nesterov, and per-parameter weight decay, with
/// torch.optim.SGD's exact update (dampening 0):
/// <code>
/// g ← ∇p + λ·p
/// b ← g                       (first step)      b ← μ·b + g   (later steps)
/// d ← g + μ·b  (Nesterov)     d ← b             (classical)
/// p ← p − η·d
/// </code>
/// It keeps its momentum buffers by parameter name, not by position or handle, so an epoch checkpoint
/// stores them as plain named tensors and a resumed run picks up exactly where it stopped.
/// </summary>
public sealed class Sgd : IDisposable
{
    private readonly (string Name, Parameter Param, double WeightDecay)[] _params;
    private readonly Dictionary<string, Tensor> _momentum = new(StringComparer.Ordinal);

    public Sgd(IEnumerable<(string Name, Parameter Param)> parameters, IReadOnlyDictionary<string, double> weightDecay, double momentum, bool nesterov)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum));
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        _params = parameters.Select(p => (p.Name, p.Param, weightDecay.TryGetValue(p.Name, out double wd) ? wd : 0.0)).ToArray();
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public double Momentum { get; }
    public bool Nesterov { get; }

    /// <summary>Names of the optimized parameters, in model order.</summary>
    public IEnumerable<string> ParameterNames => _params.Select(p => p.Name);

    public void ZeroGrad()
    {
        foreach (var (_, p, _) in _params)
        {
            Tensor? g = p.grad;
            if (g is null) continue;
            g.zero_();
        }
    }

    /// <summary>One update with learning rate <paramref name="lr"/>; parameters without a gradient are left alone, as in PyTorch.</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        foreach (var (name, p, wd) in _params)
        {
            Tensor? grad = p.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            Tensor d = wd != 0 ? grad.add(p, alpha: wd) : grad;
            if (Momentum != 0)
            {
                if (_momentum.TryGetValue(name, out Tensor? buf))
                    buf.mul_(Momentum).add_(d);
                else
                    _momentum[name] = buf = d.clone().DetachFromDisposeScope();
                d = Nesterov ? d.add(buf, alpha: Momentum) : buf;
            }
            p.add_(d, alpha: -lr);
        }
    }

    /// <summary>Clones of the momentum buffers that exist (none before the first step), keyed by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> MomentumBuffers()
    {
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, buf) in _momentum) copy[name] = buf.detach().clone();
        return copy;
    }

    /// <summary>Replaces the momentum buffers with copies of <paramref name="buffers"/>; names and shapes must match the parameters.</summary>
    public void LoadMomentumBuffers(IReadOnlyDictionary<string, Tensor> buffers)
    {
        var byName = _params.ToDictionary(p => p.Name, p => p.Param, StringComparer.Ordinal);
        foreach (var (name, t) in buffers)
        {
            if (!byName.TryGetValue(name, out Parameter? p))
                throw new InvalidDataException($"momentum buffer \"{name}\" has no parameter of that name");
            if (!p.shape.SequenceEqual(t.shape) || p.dtype != t.dtype)
                throw new InvalidDataException($"momentum buffer \"{name}\" is {t.dtype}[{string.Join(",", t.shape)}] but the parameter is {p.dtype}[{string.Join(",", p.shape)}]");
        }
        ClearMomentum();
        foreach (var (name, t) in buffers)
            _momentum[name] = t.detach().to(byName[name].device).clone();
    }

    private void ClearMomentum()
    {
        foreach (Tensor t in _momentum.Values) t.Dispose();
        _momentum.Clear();
    }

    public void Dispose() => ClearMomentum();
}
