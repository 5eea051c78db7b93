using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Calibration;

/// <summary>Small hand-built models and data for the Precise BN tests.</summary>
internal static class TinyModels
{
    /// <summary>conv → BN2d → ReLU → conv(stride 2) → BN2d → ReLU → dropout → pool → flatten → linear → BN1d. Deterministic for a seed.</summary>
    public static Sequential SmallCnn(long seed)
    {
        torch.manual_seed(seed);
        var model = nn.Sequential(
            ("conv1", nn.Conv2d(2, 4, 3, padding: 1)),
            ("bn1", nn.BatchNorm2d(4)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 6, 3, stride: 2, padding: 1)),
            ("bn2", nn.BatchNorm2d(6)),
            ("relu2", nn.ReLU()),
            ("drop", nn.Dropout(0.5)),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(6, 3)),
            ("bn3", nn.BatchNorm1d(3)));
        // Non-default stored statistics, so "unchanged" and "restored" are meaningful.
        using (no_grad())
        {
            foreach (var (_, m) in model.named_modules())
                if (m is BatchNorm bn)
                {
                    bn.running_mean!.uniform_(-1, 1);
                    bn.running_var!.uniform_(0.5, 2);
                    bn.num_batches_tracked!.fill_(17);
                    bn.weight.uniform_(0.5, 1.5);
                    bn.bias!.uniform_(-0.5, 0.5);
                }
        }
        return model;
    }

    /// <summary>Deterministic inputs [n, 2, 6, 6] with per-channel offsets, so channel means are far from 0.</summary>
    public static Tensor Images(long n, long seed)
    {
        var g = new Generator((ulong)seed);
        return (randn(new long[] { n, 2, 6, 6 }, generator: g) * 2 + tensor(new float[] { 3, -5 }).view(1, 2, 1, 1)).DetachFromDisposeScope();
    }

    /// <summary>Batches of <paramref name="batchSize"/> rows of <paramref name="data"/>, in order; batch k goes to rank k mod <paramref name="ranks"/>.</summary>
    public static IEnumerable<Tensor> Batches(Tensor data, long batchSize, int rank = 0, int ranks = 1)
    {
        long n = data.shape[0];
        for (long start = 0, k = 0; start < n; start += batchSize, k++)
            if (k % ranks == rank)
                yield return data.narrow(0, start, Math.Min(batchSize, n - start)).clone();
    }

    public static Dictionary<string, byte[]> StateBytes(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => Bytes(kv.Value));

    public static byte[] Bytes(Tensor t)
    {
        using var c = t.detach().cpu().contiguous();
        return c.bytes.ToArray();
    }

    public static double[] Doubles(Tensor t)
    {
        using var c = t.detach().cpu().to(ScalarType.Float64);
        return c.data<double>().ToArray();
    }
}
