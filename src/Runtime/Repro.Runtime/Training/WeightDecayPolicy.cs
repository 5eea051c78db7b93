using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>
/// Decides which parameters get weight decay. Decaying BatchNorm's scale and shift, or any bias, only
/// pulls them towards 0 without regularising the function (BN makes the layer scale-invariant), so the
/// common recipe (Goyal et al. 2017; timm's no_weight_decay) exempts them.
/// </summary>
public static class WeightDecayPolicy
{
    /// <summary>Names of the parameters that are exempt: those owned by a BatchNorm module, and every "*.bias".</summary>
    public static IReadOnlySet<string> ExemptNames(nn.Module model)
    {
        var exempt = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (moduleName, module) in model.named_modules())
        {
            if (module is not (BatchNorm1d or BatchNorm2d or BatchNorm3d)) continue;
            foreach (var (paramName, _) in module.named_parameters(recurse: false))
                exempt.Add(moduleName.Length == 0 ? paramName : $"{moduleName}.{paramName}");
        }
        foreach (var (name, _) in model.named_parameters())
            if (name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal))
                exempt.Add(name);
        return exempt;
    }

    /// <summary>The weight decay of each named parameter under <paramref name="config"/>.</summary>
    public static IReadOnlyDictionary<string, double> PerParameter(nn.Module model, TrainConfig config)
    {
        IReadOnlySet<string> exempt = config.DecayBnAndBias ? new HashSet<string>() : ExemptNames(model);
        return model.named_parameters().ToDictionary(
            p => p.name, p => exempt.Contains(p.name) ? 0.0 : config.WeightDecay, StringComparer.Ordinal);
    }
}
