using static TorchSharp.torch;

namespace Repro.Runtime.Interop;

/// <summary>torch.save names a storage's element type by a legacy class, e.g. <c>torch.FloatStorage</c>.</summary>
internal static class TorchStorageTypes
{
    private static readonly (string Name, ScalarType Type)[] Table =
    [
        ("DoubleStorage", ScalarType.Float64),
        ("FloatStorage", ScalarType.Float32),
        ("HalfStorage", ScalarType.Float16),
        ("BFloat16Storage", ScalarType.BFloat16),
        ("LongStorage", ScalarType.Int64),
        ("IntStorage", ScalarType.Int32),
        ("ShortStorage", ScalarType.Int16),
        ("CharStorage", ScalarType.Int8),
        ("ByteStorage", ScalarType.Byte),
        ("BoolStorage", ScalarType.Bool),
    ];

    public static bool TryParse(string name, out ScalarType type)
    {
        foreach (var t in Table)
            if (t.Name == name)
            {
                type = t.Type;
                return true;
            }
        type = default;
        return false;
    }

    public static bool IsStorageName(string name) => name.EndsWith("Storage", StringComparison.Ordinal);

    public static string NameOf(ScalarType type)
    {
        foreach (var t in Table)
            if (t.Type == type)
                return t.Name;
        throw new ArgumentException($"tensor dtype {type} cannot be exported to a .pt file by Repro");
    }
}
