using System.Security.Cryptography;
using System.Text;

namespace Repro.Pipeline.Hashing;

/// <summary>SHA-256 as lowercase hex: the one digest used for keys, files and cache objects.</summary>
public static class ContentHash
{
    public const int HexLength = 64;

    public static string OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static bool IsWellFormed(string? hex)
    {
        if (hex is null || hex.Length != HexLength)
            return false;
        foreach (char c in hex)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f'))
                return false;
        return true;
    }

    /// <summary>The first 12 hex digits, for log lines (like git's short ids).</summary>
    public static string Short(string? hex) => hex is null ? "(none)" : hex.Length > 12 ? hex[..12] : hex;
}
