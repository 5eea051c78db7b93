using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>
/// The apply/restore step. Entering puts the model in the state the batch loop needs; disposing puts
/// back everything except what <see cref="Commit"/> wrote, whether the run succeeded or threw.
///
/// During the loop:
/// <list type="bullet">
/// <item>every module is in eval mode except the recalibrated BN layers, so Dropout and frozen BN
/// behave as at inference and only the statistics being measured come from batches
/// (torch.optim.swa_utils.update_bn calls model.train(), and its statistics then include dropout
/// noise that inference never sees);</item>
/// <item>recalibrated layers run with momentum 1, so after each forward their running buffers hold
/// exactly that batch's mean and unbiased variance ((1 − 1)·old + 1·batch; the old value must be
/// finite, hence the reset to 0 / 1 here).</item>
/// </list>
/// Afterwards each module's training flag, each layer's momentum and num_batches_tracked are as they
/// were. num_batches_tracked stays unchanged on purpose: it counts optimisation steps that updated
/// the running averages (it drives momentum=None averaging when training resumes), and Precise BN
/// replaces the averages rather than taking steps.
/// </summary>
internal sealed class RecalibrationGuard : IDisposable
{
    private readonly nn.Module _model;
    private readonly (nn.Module Module, bool Training)[] _trainingFlags;
    private readonly SavedLayer[] _saved;
    private bool _committed;

    private sealed record SavedLayer(BatchNorm Module, double? Momentum, Tensor RunningMean, Tensor RunningVar, Tensor? NumBatchesTracked);

    public RecalibrationGuard(nn.Module model, IReadOnlyList<RecalibratedLayer> layers)
    {
        // Pre-order, so that restoring a parent (train() recurses) never overrides a child restored later.
        _trainingFlags = BatchNormDiscovery.NamedModulesWithRoot(model).Select(m => (m.Module, m.Module.training)).ToArray();
        using (no_grad())
        {
            _saved = layers.Select(l => new SavedLayer(
                l.Module,
                l.Module.momentum,
                l.Module.running_mean!.clone().DetachFromDisposeScope(),
                l.Module.running_var!.clone().DetachFromDisposeScope(),
                l.Module.num_batches_tracked?.clone().DetachFromDisposeScope())).ToArray();
        }
        _model = model;
    }

    /// <summary>Switches to the loop's state. Separate from the constructor so that a failure half-way is still undone by Dispose.</summary>
    public void Enter()
    {
        using var _ = no_grad();
        _model.eval();
        foreach (var s in _saved)
        {
            s.Module.train(true);
            s.Module.momentum = 1.0;
            s.Module.running_mean!.fill_(0.0);
            s.Module.running_var!.fill_(1.0);
        }
    }

    /// <summary>How many times layer <paramref name="index"/>'s forward ran in train mode since entering (one device sync).</summary>
    public long ForwardsSinceEntering(int index)
    {
        SavedLayer s = _saved[index];
        if (s.NumBatchesTracked is null || s.Module.num_batches_tracked is null) return -1;
        // TorchSharp creates num_batches_tracked in the module's dtype when one is given (PyTorch: always int64).
        using var scope = NewDisposeScope();
        return s.Module.num_batches_tracked.cpu().to(ScalarType.Int64).item<long>() - s.NumBatchesTracked.cpu().to(ScalarType.Int64).item<long>();
    }

    /// <summary>Writes the new statistics, cast to each buffer's dtype, into the live buffers.</summary>
    public void Commit(IReadOnlyList<LayerEstimate> estimates)
    {
        if (estimates.Count != _saved.Length)
            throw new ArgumentException($"{estimates.Count} estimates for {_saved.Length} layers", nameof(estimates));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < _saved.Length; i++)
        {
            BatchNorm bn = _saved[i].Module;
            bn.running_mean!.copy_(tensor(estimates[i].Mean, ScalarType.Float64));
            bn.running_var!.copy_(tensor(estimates[i].Var, ScalarType.Float64));
        }
        _committed = true;
    }

    public void Dispose()
    {
        using (no_grad())
        {
            foreach (var s in _saved)
            {
                if (!_committed)
                {
                    s.Module.running_mean!.copy_(s.RunningMean);
                    s.Module.running_var!.copy_(s.RunningVar);
                }
                if (s.NumBatchesTracked is not null)
                    s.Module.num_batches_tracked?.copy_(s.NumBatchesTracked);
                s.Module.momentum = s.Momentum;
                s.RunningMean.Dispose();
                s.RunningVar.Dispose();
                s.NumBatchesTracked?.Dispose();
            }
        }
        foreach (var (module, training) in _trainingFlags)
            module.train(training);
    }
}
