namespace Repro.Runtime.Models;

/// <summary>The first layers of a ResNet, before the four stages.</summary>
public enum ResNetStem
{
    /// <summary>torchvision's: 7×7 stride-2 conv, BN, ReLU, 3×3 stride-2 maxpool (4× downsampling).</summary>
    ImageNet,

    /// <summary>For 28×28 / 32×32 images: 3×3 stride-1 conv, BN, ReLU, no maxpool.</summary>
    Small,
}
