using static TorchSharp.torch;

namespace Repro.Runtime.Checkpoints;

/// <summary>The safetensors dtype names Repro reads and writes, and their torch types and sizes.</summary>
public static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Table =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    // In the format, but with no torch type here (or no TorchSharp type): named so the error can say so.
    private static readonly HashSet<string> KnownUnsupported = ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"];

    public static IEnumerable<string> Names => Table.Select(t => t.Name);

    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        foreach (var t in Table)
            if (t.Name == name)
            {
                (type, size) = (t.Type, t.Size);
                return true;
            }
        (type, size) = (default, 0);
        return false;
    }

    /// <summary>Why <paramref name="name"/> cannot be read, for a one-line error.</summary>
    public static string WhyUnreadable(string name) => KnownUnsupported.Contains(name)
        ? $"dtype {name} is not supported by Repro (supported: {string.Join(", ", Names)})"
        : $"unknown dtype \"{name}\" (supported: {string.Join(", ", Names)})";

    public static string NameOf(ScalarType type)
    {
        foreach (var t in Table)
            if (t.Type == type)
                return t.Name;
        throw new ArgumentException($"tensor dtype {type} cannot be stored in safetensors by Repro (supported: {string.Join(", ", Names)})");
    }

    public static int SizeOf(ScalarType type)
    {
        foreach (var t in Table)
            if (t.Type == type)
                return t.Size;
        throw new ArgumentException($"tensor dtype {type} has no safetensors name");
    }
}
