using Repro.Runtime.Devices;
using Repro.Runtime.Collectives;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>Top-1 accuracy: correct / total, summed over every rank.</summary>
public sealed record TopOneAccuracy(long Correct, long Total)
{
    public double Value => Total == 0 ? double.NaN : (double)Correct / Total;
}

/// <summary>
/// Measures top-1 accuracy on a labelled held-out split, in eval mode (BN uses its running statistics,
/// which is the point: it shows what recalibration changed). Every module's training flag is restored.
/// Correct predictions are counted on the device and read once at the end.
/// </summary>
public static class HeldOutAccuracy
{
    /// <param name="batches">this rank's (inputs [N, …], labels [N] int64) batches; each is disposed after use</param>
    public static TopOneAccuracy Measure(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Inputs, Tensor Labels)> batches, ICollective? collective = null)
    {
        collective ??= SingleProcessCollective.Instance;
        var flags = BatchNormDiscovery.NamedModulesWithRoot(model).Select(m => (m.Module, m.Module.training)).ToArray();
        Device device = model.parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        long total = 0;
        using var correct = zeros(1, ScalarType.Int64, device);
        try
        {
            model.eval();
            using var noGrad = no_grad();
            using var e = batches.GetEnumerator();
            while (true)
            {
                BatchMemory.ReleaseFinishedBatches();
                using var scope = NewDisposeScope();
                if (!e.MoveNext()) break;
                var (inputs, labels) = e.Current;
                scope.Attach(inputs);
                scope.Attach(labels);
                Tensor logits = model.call(inputs.device_type == device.type && inputs.device_index == device.index ? inputs : inputs.to(device));
                Tensor predicted = logits.argmax(1);
                correct.add_(predicted.eq(labels.to(device)).sum());
                total += labels.shape[0];
            }
        }
        finally
        {
            foreach (var (module, training) in flags) module.train(training);
        }
        long correctHere;
        using (var host = correct.cpu()) correctHere = host.item<long>();
        var counts = new[] { correctHere, total };
        collective.AllReduceSum(counts);
        return new TopOneAccuracy(counts[0], counts[1]);
    }
}
