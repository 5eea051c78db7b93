using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

/// <summary>conv(bias) → BN → ReLU → global average → linear: every kind of tensor the trainer meets (weights, biases, BN affine, float and int64 buffers) in a model that trains in milliseconds.</summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
    private readonly Linear fc;

    public TinyNet(int inChannels = 1, int width = 4, int classes = 3) : base(nameof(TinyNet))
    {
        conv = nn.Conv2d(inChannels, width, 3, padding: 1);
        bn = nn.BatchNorm2d(width);
        fc = nn.Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = nn.functional.relu(bn.forward(conv.forward(x)));
        return fc.forward(h.mean(new long[] { 2, 3 })).MoveToOuterDisposeScope();
    }

    /// <summary>A seeded net: libtorch's generator drives the default initialisation.</summary>
    public static TinyNet Seeded(long seed, int inChannels = 1, int classes = 3)
    {
        torch.manual_seed(seed);
        return new TinyNet(inChannels, classes: classes);
    }

    /// <summary>
    /// A learnable synthetic set: class k images are noise around the level k − 1, a difference that
    /// survives the global average, so the net separates the classes within a few epochs.
    /// </summary>
    public static LabeledImagesFactory Data => new();
}

internal sealed class LabeledImagesFactory
{
    public Repro.Runtime.Training.LabeledImages Make(int n, int classes = 3, int size = 8, long seed = 0, int channels = 1)
    {
        var gen = new Generator((ulong)seed);
        Tensor labels = randint(0, classes, new long[] { n }, generator: gen, dtype: ScalarType.Int64);
        Tensor images = randn(new long[] { n, channels, size, size }, generator: gen)
            .add(labels.to(ScalarType.Float32).sub(1).reshape(n, 1, 1, 1));
        return new Repro.Runtime.Training.LabeledImages($"synthetic:n={n},seed={seed}", images, labels);
    }
}
