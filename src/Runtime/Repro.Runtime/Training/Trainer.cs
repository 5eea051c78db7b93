using Repro.Runtime.Devices;
using System.Diagnostics;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// The epoch loop. Each epoch: a fresh permutation of the training set from the order generator; for each
/// full batch (a last partial batch is dropped, so BatchNorm never sees a batch of one), seeded
/// augmentation, forward, cross-entropy, backward, an SGD step at the scheduled LR and an EMA update;
/// then the test set is evaluated and the epoch is reported with a snapshot of the whole state.
/// Nothing here depends on wall time or on unseeded randomness, which is what makes two runs with the
/// same config, seed and thread count produce the same bits (see README, "Determinism").
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Stream ids of our two generators; fixed forever, or old seeds would change meaning.</summary>
    private const ulong OrderStream = 1, AugmentStream = 2;

    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly LabeledImages _train;
    private readonly LabeledImages? _test;
    private readonly Device _device;
    private readonly Sgd _sgd;
    private readonly CrossEntropyLoss _loss;
    private readonly Augmentation _augmentation;
    private readonly List<EpochMetrics> _metrics = new();
    private SeededRandom _orderRng;
    private SeededRandom _augmentRng;

    /// <param name="model">Already initialised (seeded) and on <paramref name="device"/>.</param>
    /// <param name="train">Validated training data; stays where it is and is moved batch by batch.</param>
    /// <param name="test">Evaluated after every epoch when given.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainConfig config, LabeledImages train, LabeledImages? test, Device device)
    {
        _model = model;
        Config = config;
        _train = train;
        _test = test;
        _device = device;
        if (train.Count < config.BatchSize)
            throw new BadInputException($"train data {train.Source}: {train.Count} samples, fewer than train.batchSize {config.BatchSize}");
        Schedule = new LearningRateSchedule(config, (int)(train.Count / config.BatchSize));
        _sgd = new Sgd(model.named_parameters(), WeightDecayPolicy.PerParameter(model, config), config.Momentum, config.Nesterov);
        _loss = new CrossEntropyLoss(config.LabelSmoothing);
        _augmentation = new Augmentation(config.Augment);
        Ema = new WeightEma(model, config.Ema);
        _orderRng = new SeededRandom(config.Seed, OrderStream);
        _augmentRng = new SeededRandom(config.Seed, AugmentStream);
    }

    public TrainConfig Config { get; }
    public LearningRateSchedule Schedule { get; }
    public WeightEma Ema { get; }
    public int CompletedEpochs { get; private set; }
    public long Step { get; private set; }
    public IReadOnlyList<EpochMetrics> Metrics => _metrics;

    /// <summary>Called after each step with (epoch, steps done in it, steps per epoch); for progress output only.</summary>
    public Action<int, int, int>? OnStep { get; set; }

    /// <summary>
    /// Trains epochs CompletedEpochs+1 … min(epochs, <paramref name="stopAfterEpoch"/>), calling
    /// <paramref name="onEpochEnd"/> after each with its metrics.
    /// </summary>
    public void Run(Action<EpochMetrics>? onEpochEnd = null, int? stopAfterEpoch = null)
    {
        int last = Math.Min(Config.Epochs, stopAfterEpoch ?? Config.Epochs);
        while (CompletedEpochs < last)
        {
            EpochMetrics m = RunEpoch(CompletedEpochs + 1);
            onEpochEnd?.Invoke(m);
        }
    }

    private EpochMetrics RunEpoch(int epoch)
    {
        _model.train();
        int batch = Config.BatchSize;
        int[] order = _orderRng.Permutation(checked((int)_train.Count));
        var index = new long[batch];
        double firstLr = Schedule.At(Step);
        var clock = Stopwatch.StartNew();
        using var lossSum = zeros(1, dtype: ScalarType.Float64, device: _device);
        using var correct = zeros(1, dtype: ScalarType.Int64, device: _device);
        for (int s = 0; s < Schedule.StepsPerEpoch; s++)
        {
            BatchMemory.ReleaseFinishedBatches();
            using var scope = NewDisposeScope();
            for (int i = 0; i < batch; i++) index[i] = order[s * batch + i];
            Tensor idx = tensor(index);
            Tensor x = _train.Images.index_select(0, idx).to(_device);
            Tensor y = _train.Labels.index_select(0, idx).to(_device);
            x = _augmentation.Apply(x, _augmentRng);

            Tensor logits = _model.forward(x);
            Tensor loss = _loss.Compute(logits, y);
            _sgd.ZeroGrad();
            loss.backward();
            _sgd.Step(Schedule.At(Step));
            Step++;
            Ema.MaybeUpdate(_model, Step);
            OnStep?.Invoke(epoch, s + 1, Schedule.StepsPerEpoch);

            using (no_grad())
            {
                lossSum.add_(loss.detach().to(ScalarType.Float64), alpha: batch);
                correct.add_(logits.argmax(1).eq(y).sum());
            }
        }
        long seen = (long)Schedule.StepsPerEpoch * batch;
        double trainLoss = lossSum.item<double>() / seen, trainAccuracy = (double)correct.item<long>() / seen;
        double trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        Evaluation.Result? test = _test is null ? null : Evaluation.Run(_model, _test, Config.EvalBatchSize, _device);
        var metrics = new EpochMetrics
        {
            Epoch = epoch,
            Lr = firstLr,
            TrainLoss = trainLoss,
            TrainAccuracy = trainAccuracy,
            TrainSamples = seen,
            TestLoss = test?.Loss,
            TestAccuracy = test?.Accuracy,
            TestSamples = test?.Samples ?? 0,
            TrainSeconds = trainSeconds,
            EvalSeconds = clock.Elapsed.TotalSeconds,
        };
        _metrics.Add(metrics);
        CompletedEpochs = epoch;
        return metrics;
    }

    /// <summary>A CPU snapshot of the whole training state (see <see cref="TrainingState"/>); the caller disposes it.</summary>
    public TrainingState Capture()
    {
        using var noGrad = no_grad();
        return new TrainingState
        {
            CompletedEpochs = CompletedEpochs,
            Step = Step,
            OrderRng = _orderRng.StateHex,
            AugmentRng = _augmentRng.StateHex,
            EmaUpdates = Ema.Updates,
            Model = _model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().clone(), StringComparer.Ordinal),
            Ema = Ema.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.cpu(), StringComparer.Ordinal),
            Momentum = _sgd.MomentumBuffers().ToDictionary(kv => kv.Key, kv => kv.Value.cpu(), StringComparer.Ordinal),
            TorchRng = get_rng_state(),
            Metrics = _metrics.ToArray(),
        };
    }

    /// <summary>Continues from <paramref name="state"/>, written by <see cref="Capture"/> at the end of an epoch of a run with the same config.</summary>
    public void Restore(TrainingState state)
    {
        if (state.CompletedEpochs < 0 || state.CompletedEpochs > Config.Epochs)
            throw new InvalidDataException($"the state is after epoch {state.CompletedEpochs}, outside 0..{Config.Epochs}");
        if (state.Step != (long)state.CompletedEpochs * Schedule.StepsPerEpoch)
            throw new InvalidDataException($"the state is at step {state.Step}, but {state.CompletedEpochs} epoch(s) of {Schedule.StepsPerEpoch} steps make {(long)state.CompletedEpochs * Schedule.StepsPerEpoch}");
        using (no_grad())
        {
            var current = _model.state_dict();
            foreach (var (name, t) in current)
            {
                if (!state.Model.TryGetValue(name, out Tensor? saved))
                    throw new InvalidDataException($"the state has no model tensor \"{name}\"");
                if (!saved.shape.SequenceEqual(t.shape) || saved.dtype != t.dtype)
                    throw new InvalidDataException($"model tensor \"{name}\" is {saved.dtype}[{string.Join(",", saved.shape)}], the model has {t.dtype}[{string.Join(",", t.shape)}]");
                t.copy_(saved);
            }
            if (state.Model.Count != current.Count)
                throw new InvalidDataException($"the state has {state.Model.Count} model tensors, the model has {current.Count}");
        }
        _sgd.LoadMomentumBuffers(state.Momentum);
        Ema.Load(state.Ema, state.EmaUpdates);
        _orderRng = SeededRandom.FromStateHex(state.OrderRng);
        _augmentRng = SeededRandom.FromStateHex(state.AugmentRng);
        set_rng_state(state.TorchRng);
        _metrics.Clear();
        _metrics.AddRange(state.Metrics);
        CompletedEpochs = state.CompletedEpochs;
        Step = state.Step;
    }

    public void Dispose()
    {
        _sgd.Dispose();
        Ema.Dispose();
    }
}
