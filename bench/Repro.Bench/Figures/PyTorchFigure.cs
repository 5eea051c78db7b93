using Repro.Runtime.Calibration;
using Repro.Runtime.Training;
using TorchSharp;

namespace Repro.Bench.Figures;

/// <summary>
/// Figure 2: Repro against PyTorch on the same checkpoint, tensor file, batch size and threads.
/// The peer (bench/peers/precise_bn_torch.py) runs fvcore's recipe; training throughput compares
/// one epoch of SGD over the same samples (bench/peers/train_torch.py).
/// </summary>
public static class PyTorchFigure
{
    public const long Samples = ForwardLimitFigure.Samples;
    public const int BatchSize = ForwardLimitFigure.BatchSize;
    public const long TrainSamples = 8192;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        if (ctx.TorchPython is null)
        {
            yield return BenchRow.NotMeasured("2", "precise BN: Repro ÷ PyTorch", "python3-torch is not installed");
            yield break;
        }
        string args = $"\"{ctx.CheckpointPath}\" \"{ctx.TensorFilePath}\" --samples {Samples} --batch-size {BatchSize} --threads {ctx.Threads} --reps {ctx.Repetitions}";
        var peer = PythonPeer.Run(ctx, "precise_bn_torch.py", args);
        Timing torchTime = Timing.Of(PythonPeer.Doubles(peer, "seconds"));

        using var model = ctx.LoadModel();
        Timing repro = Timing.Measure(1, ctx.Repetitions, () => PreciseBn.Recalibrate(model, ctx.Batches(Samples, BatchSize)));
        string what = $"S={Samples}, B={BatchSize}, {ctx.Threads} threads; PyTorch {peer["torch"]}";
        yield return BenchRow.FromTiming("2", "precise BN, PyTorch (fvcore recipe)", torchTime, detail: what);
        yield return new BenchRow("2", "precise BN: Repro ÷ PyTorch", repro.Median / torchTime.Median, "×",
            repro.Min / torchTime.Max, repro.Max / torchTime.Min, TargetKind.AtMost, 1.0, what + "; range = best/worst pairing");

        var trainPeer = PythonPeer.Run(ctx, "train_torch.py",
            $"\"{ctx.CheckpointPath}\" \"{ctx.TensorFilePath}\" --samples {TrainSamples} --batch-size 128 --threads {ctx.Threads} --reps {ctx.Repetitions}");
        Timing torchRate = Timing.Of(PythonPeer.Doubles(trainPeer, "samples_per_second"));
        Timing reproRate = TrainingThroughput(ctx);
        yield return new BenchRow("2", "training, Repro", reproRate.Median, "samples/s", reproRate.Min, reproRate.Max, Detail: $"{TrainSamples} samples/epoch, B=128");
        yield return new BenchRow("2", "training, PyTorch", torchRate.Median, "samples/s", torchRate.Min, torchRate.Max, Detail: $"{TrainSamples} samples/epoch, B=128");
        yield return new BenchRow("2", "training throughput: Repro ÷ PyTorch", reproRate.Median / torchRate.Median, "×",
            Detail: "higher is better; no target set");
    }

    /// <summary>Samples per second of Repro's trainer over one epoch of <see cref="TrainSamples"/>, after a warm-up epoch.</summary>
    private static Timing TrainingThroughput(BenchContext ctx)
    {
        using var model = ctx.LoadModel();
        using var scope = torch.NewDisposeScope();
        var train = new LabeledImages(ctx.DataSpec,
            ctx.Data.Images.narrow(0, 0, TrainSamples), ctx.Data.Labels!.narrow(0, 0, TrainSamples));
        var config = new TrainConfig
        {
            Epochs = ctx.Repetitions + 1,
            BatchSize = 128,
            Lr = 0.1,
            Momentum = 0.9,
            Nesterov = true,
            WeightDecay = 5e-4,
            Threads = ctx.Threads,
        };
        using var trainer = new Trainer(model, config, train, test: null, torch.CPU);
        var rates = new List<double>();
        trainer.Run(m => { if (m.Epoch > 1) rates.Add(m.TrainSamples / m.TrainSeconds!.Value); });
        return Timing.Of(rates);
    }
}
