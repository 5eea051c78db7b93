using Repro.Runtime.Devices;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>Mean cross-entropy (without label smoothing) and top-1 accuracy of a model in eval mode.</summary>
public static class Evaluation
{
    public readonly record struct Result(double Loss, double Accuracy, long Samples);

    public static Result Run(nn.Module<Tensor, Tensor> model, LabeledImages data, int batchSize, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            for (long start = 0; start < data.Count; start += batchSize)
            {
                BatchMemory.ReleaseFinishedBatches();
                using var scope = NewDisposeScope();
                long n = Math.Min(batchSize, data.Count - start);
                Tensor x = data.Images.narrow(0, start, n).to(device);
                Tensor y = data.Labels.narrow(0, start, n).to(device);
                Tensor logits = model.forward(x);
                lossSum.add_(nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to(ScalarType.Float64));
                correct.add_(logits.argmax(1).eq(y).sum());
            }
            return new Result(lossSum.item<double>() / data.Count, (double)correct.item<long>() / data.Count, data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
