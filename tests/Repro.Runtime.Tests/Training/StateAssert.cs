using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

internal static class StateAssert
{
    /// <summary>The same names, and bit-identical tensors under each.</summary>
    public static void BitEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, t) in expected) TensorAssert.BitEqual(t, actual[name], $"{what} {name}");
    }
}
