using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Models;

/// <summary>
/// torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), where the shortcut
/// is a 1×1 strided conv + BN (<c>downsample.0</c>, <c>downsample.1</c>) when the shape changes.
/// Field names are the state-dict names; do not rename them.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    // Declaration order = registration order = torchvision's module order.
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <param name="downsample">Built by the caller before the block, as torchvision's _make_layer does (the RNG draw order depends on it).</param>
    public BasicBlock(long inPlanes, long planes, long stride, Sequential? downsample) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    // In place where torchvision is (ReLU(inplace=True), out += identity): the same values bit for
    // bit and the same autograd graph (relu's backward reads its result, BN's its input), but three
    // fewer activation-sized buffers per block to allocate, fault in and stream through the cache.
    // TorchSharp's in-place ops return the tensor they modify, so bn2's output is the block's output
    // and must not be disposed here.
    public override Tensor forward(Tensor x)
    {
        using var a = conv1.call(x);
        using var b = bn1.call(a).relu_();
        using var d = conv2.call(b);
        Tensor e = bn2.call(d);
        if (downsample is null)
            return e.add_(x).relu_();
        using var shortcut = downsample.call(x);
        return e.add_(shortcut).relu_();
    }

    /// <summary>Convs in torchvision's modules() order: conv1, conv2, downsample.0.</summary>
    internal IEnumerable<Conv2d> Convs()
    {
        yield return conv1;
        yield return conv2;
        if (downsample is not null)
            yield return (Conv2d)downsample[0];
    }
}
