using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>
/// Forward pre-hooks on the recalibrated layers. They read only the input's shape (host metadata, no
/// device sync) to learn how many values per channel each layer normalises in this batch, n_b = numel / C
/// (N·H·W for BatchNorm2d). TorchSharp runs hooks only when a module is invoked through call(), as
/// Sequential and well-behaved models do; <see cref="PreciseBn"/> checks num_batches_tracked at the end
/// to catch a model that calls forward() directly.
/// </summary>
internal sealed class BatchObserver : IDisposable
{
    private readonly IReadOnlyList<RecalibratedLayer> _layers;
    private readonly List<Action> _removers = new();
    private readonly long[] _countThisBatch;
    private readonly bool[] _seenThisBatch;

    public BatchObserver(IReadOnlyList<RecalibratedLayer> layers)
    {
        _layers = layers;
        _countThisBatch = new long[layers.Count];
        _seenThisBatch = new bool[layers.Count];
        Calls = new long[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            int index = i;
            var remover = layers[i].Module.register_forward_pre_hook((module, input) => Observe(index, input));
            _removers.Add(remover.remove);
        }
    }

    /// <summary>Forwards each layer ran with its hook seen, this run.</summary>
    public long[] Calls { get; }

    public void BeginBatch()
    {
        Array.Clear(_seenThisBatch);
        Array.Clear(_countThisBatch);
    }

    /// <summary>Values per channel layer <paramref name="index"/> normalised in this batch, or 0 if it was not called.</summary>
    public long CountThisBatch(int index) => _seenThisBatch[index] ? _countThisBatch[index] : 0;

    private Tensor Observe(int index, Tensor input)
    {
        string name = _layers[index].Name;
        if (_seenThisBatch[index])
            throw new BadInputException(
                $"model: BatchNorm {BatchNormDiscovery.Quote(name)} is called more than once in one forward; Precise BN needs each BN layer to normalise one batch per forward.");
        if (input.ndim < 2 || input.shape[1] != _layers[index].Channels)
            throw new BadInputException(
                $"model: BatchNorm {BatchNormDiscovery.Quote(name)} expects {_layers[index].Channels} channels in dimension 1, got shape [{string.Join(", ", input.shape)}].");
        long count = input.numel() / input.shape[1];
        if (count < 2)
            throw new SingleValuePerChannelException(name, input.shape[0]);
        _seenThisBatch[index] = true;
        _countThisBatch[index] = count;
        Calls[index]++;
        return input;
    }

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
    }
}

/// <summary>
/// A batch that would give a BN layer one value per channel: its variance is 0/0 (libtorch stores NaN;
/// PyTorch's Python front end refuses such a batch in train mode). Thrown from the pre-hook, before
/// the layer runs, so the batch is abandoned and nothing of it is accumulated.
/// </summary>
internal sealed class SingleValuePerChannelException(string layer, long samples)
    : Exception($"BatchNorm {BatchNormDiscovery.Quote(layer)} would see a single value per channel in a batch of {samples} sample(s)")
{
    public string Layer { get; } = layer;
    public long Samples { get; } = samples;
}
