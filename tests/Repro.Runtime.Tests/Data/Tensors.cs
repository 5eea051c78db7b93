using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Data;

internal static class Tensors
{
    /// <summary>Same shape and bit-for-bit the same values (torch.equal).</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
