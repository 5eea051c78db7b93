using static TorchSharp.torch;

namespace Repro.Runtime.Tests;

internal static class TensorAssert
{
    /// <summary>Same dtype, same shape, same bytes: bit-exact, so NaN payloads and -0.0 count too.</summary>
    public static void BitEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.shape)}]");
        using var e = expected.cpu().contiguous();
        using var a = actual.cpu().contiguous();
        Assert.True(e.bytes.SequenceEqual(a.bytes), $"{what}: values differ");
    }

    public static bool BitEquals(Tensor x, Tensor y)
    {
        if (x.dtype != y.dtype || !x.shape.SequenceEqual(y.shape)) return false;
        using var a = x.cpu().contiguous();
        using var b = y.cpu().contiguous();
        return a.bytes.SequenceEqual(b.bytes);
    }
}
