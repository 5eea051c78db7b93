using Repro.Pipeline.Data;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// A tensor file: safetensors holding <c>images</c> float32 [N,C,H,W], already preprocessed, and
/// optionally <c>labels</c> int64 [N] (non-negative). Nothing else may be in it. The header is
/// validated (by <see cref="SafetensorsHeader"/>, and here for names, dtypes and shapes) before
/// any tensor is allocated; the values are used as stored, so the recorded normalisation is identity.
/// </summary>
public static class TensorFileSource
{
    public const string ImagesName = "images";
    public const string LabelsName = "labels";

    public static ImageDataset Load(DataSourceSpec spec)
    {
        string path = spec.TensorFile ?? throw new ArgumentException($"{spec.Kind} is not a tensor-file source", nameof(spec));
        SafetensorsHeader header = SafetensorsHeader.Read(path);
        foreach (var e in header.Entries)
            if (e.Name is not (ImagesName or LabelsName))
                throw Bad(path, $"unexpected tensor '{e.Name}'; a tensor file holds '{ImagesName}' float32 [N,C,H,W] and optionally '{LabelsName}' int64 [N]");
        SafetensorsEntry images = header.Find(ImagesName) ?? throw Bad(path, $"no '{ImagesName}' tensor; expected float32 [N,C,H,W]");
        if (images.ScalarType != ScalarType.Float32 || images.Shape.Length != 4)
            throw Bad(path, $"'{ImagesName}' is {images.DType} {images.ShapeText}; expected F32 [N,C,H,W]");
        if (images.Shape.Any(d => d == 0))
            throw Bad(path, $"'{ImagesName}' {images.ShapeText} is empty");
        SafetensorsEntry? labels = header.Find(LabelsName);
        if (labels != null && (labels.ScalarType != ScalarType.Int64 || labels.Shape.Length != 1 || labels.Shape[0] != images.Shape[0]))
            throw Bad(path, $"'{LabelsName}' is {labels.DType} {labels.ShapeText}; expected I64 [{images.Shape[0]}] to match '{ImagesName}'");

        // The file holds only these two tensors, so the dataset takes both over; the content is disposed only on failure.
        SafetensorsContent content = SafetensorsReader.Read(path);
        try
        {
            Tensor x = content.Tensors[ImagesName];
            Tensor? y = labels != null ? content.Tensors[LabelsName] : null;
            int classes = 0;
            if (!AllFinite(x))
                throw Bad(path, $"'{ImagesName}' contains NaN or infinite values");
            using (NewDisposeScope())
            {
                if (y is not null)
                {
                    long min = y.min().item<long>(), max = y.max().item<long>();
                    if (min < 0) throw Bad(path, $"'{LabelsName}' holds the negative label {min}");
                    if (max >= int.MaxValue) throw Bad(path, $"'{LabelsName}' holds the label {max}, too large for a class index");
                    classes = (int)max + 1;
                }
            }
            long[] s = images.Shape;
            var description = new DatasetDescription(spec.ToString(), spec.Identity, spec.Kind, s[0], checked((int)s[1]), checked((int)s[2]), checked((int)s[3]),
                classes, y is not null, Normalization.Identity((int)s[1], "as stored"));
            return new ImageDataset(x, y, description);
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Why sliced: isfinite over the whole tensor makes temporaries of 1.75× its size (one float abs,
    /// three bool masks; traced with an allocation hook): loading the 98 MiB of 32768 Fashion-MNIST
    /// images briefly took 170 MiB more. Slices of 16 MiB bound that to ~28 MiB.
    /// </summary>
    internal static bool AllFinite(Tensor x, long sliceElements = 1 << 22)
    {
        long n = x.shape[0];
        long rowsPerSlice = Math.Max(1, sliceElements / Math.Max(1, x.numel() / n));
        for (long first = 0; first < n; first += rowsPerSlice)
        {
            using var scope = NewDisposeScope();
            if (!x.narrow(0, first, Math.Min(rowsPerSlice, n - first)).isfinite().all().item<bool>())
                return false;
        }
        return true;
    }

    private static BadInputException Bad(string path, string cause) => new($"{path}: {cause}");
}
