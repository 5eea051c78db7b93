using Repro.Pipeline.Data;

namespace Repro.Runtime.Data;

/// <summary>
/// What a loaded dataset is: where it came from, its sample shape, its label range, and the
/// normalisation already applied to its pixels.
/// </summary>
/// <param name="Spec">The spec with paths resolved (<see cref="DataSourceSpec.ToString"/>).</param>
/// <param name="Identity">The spec's path-free identity (<see cref="DataSourceSpec.Identity"/>).</param>
/// <param name="Classes">Number of classes: fixed by the kind (10 for the MNISTs and CIFAR-10, the
/// <c>classes</c> parameter for synthetic), else the largest label + 1; 0 when there are no labels.</param>
public sealed record DatasetDescription(
    string Spec,
    string Identity,
    DataSourceKind Kind,
    long Count,
    int Channels,
    int Height,
    int Width,
    int Classes,
    bool HasLabels,
    Normalization Normalization)
{
    /// <summary>The shape of one sample, [C, H, W].</summary>
    public long[] SampleShape => [Channels, Height, Width];
}
