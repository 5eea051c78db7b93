using Repro.Runtime.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests;

public class LibTorchLoadsTests
{
    [Fact]
    public void LibTorchComputesAMatrixProductInsideDotnetTest()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = a.matmul(b);
        // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void AutoDevicePicksCpuWithoutCuda()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Select(cuda.is_available() ? "cpu" : "auto").type);
    }

    [Fact]
    public void UnknownDeviceIsBadInput()
    {
        var e = Assert.Throws<BadInputException>(() => DeviceSelector.Select("tpu"));
        Assert.Contains("--device tpu", e.Message);
    }

    [Fact]
    public void TorchSharpVersionIsKnown()
    {
        Assert.StartsWith("0.107", TorchRuntime.TorchSharpVersion);
    }
}
