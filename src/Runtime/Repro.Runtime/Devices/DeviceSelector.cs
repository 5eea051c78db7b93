using TorchSharp;

namespace Repro.Runtime.Devices;

/// <summary>Picks the torch device at run time, so one build serves CPU and CUDA machines.</summary>
public static class DeviceSelector
{
    /// <param name="request">auto | cpu | cuda | cuda:N</param>
    public static torch.Device Select(string request)
    {
        string r = (request ?? "auto").Trim().ToLowerInvariant();
        switch (r)
        {
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            case "cpu":
                return torch.CPU;
            default:
                if (r == "cuda" || r.StartsWith("cuda:", StringComparison.Ordinal))
                {
                    if (!torch.cuda.is_available())
                        throw new BadInputException(
                            $"--device {request}: CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA driver).");
                    return new torch.Device(r);
                }
                throw new BadInputException($"--device {request}: unknown device; use auto, cpu, cuda or cuda:N.");
        }
    }
}
