using Repro.Pipeline.Data;

namespace Repro.Runtime.Data;

/// <summary>
/// The one entry point from a spec (<c>--data</c>, <c>data.train</c>) to an <see cref="ImageDataset"/>.
/// See <see cref="DataSourceSpec"/> for the syntax; every source decodes once into one tensor.
/// </summary>
public static class DataSource
{
    /// <param name="spec">e.g. <c>fashion-mnist:train</c>, <c>idx:a,b</c>, <c>synthetic:n=512,seed=1</c>.</param>
    /// <param name="baseDirectory">Folder that relative paths resolve against; the working directory when null.</param>
    public static ImageDataset Load(string spec, string? baseDirectory = null) => Load(DataSourceSpec.Parse(spec, baseDirectory));

    public static ImageDataset Load(DataSourceSpec spec) => spec.Kind switch
    {
        DataSourceKind.FashionMnist or DataSourceKind.Mnist or DataSourceKind.Idx => IdxSource.Load(spec),
        DataSourceKind.Cifar10 => Cifar10Source.Load(spec),
        DataSourceKind.Synthetic => SyntheticSource.Load(spec),
        DataSourceKind.Tensors => TensorFileSource.Load(spec),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown data source kind"),
    };
}
