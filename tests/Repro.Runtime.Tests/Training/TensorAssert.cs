using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

internal static class TensorAssert
{
    /// <summary>Same dtype, same shape and the same bytes: stricter than ==, which equates 0.0 with −0.0.</summary>
    public static bool SameBits(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) &&
        a.cpu().contiguous().bytes.ToArray().AsSpan().SequenceEqual(b.cpu().contiguous().bytes.ToArray());

    public static void BitEqual(Tensor expected, Tensor actual, string what) =>
        Assert.True(SameBits(expected, actual), $"{what}: bits differ");

    public static void BitEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, t) in expected) BitEqual(t, actual[name], $"{what} {name}");
    }
}
