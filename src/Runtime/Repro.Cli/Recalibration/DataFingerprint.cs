using System.Security.Cryptography;
using System.Text;
using Repro.Pipeline.Data;

namespace Repro.Cli.Recalibration;

/// <summary>
/// What the data were, independent of where they lie: SHA-256 over the spec's path-free identity and
/// the SHA-256 of each file that defines the content, in the spec's order. Moving the files does not
/// change it; changing a byte does.
/// </summary>
public static class DataFingerprint
{
    public static string Of(DataSourceSpec spec)
    {
        var text = new StringBuilder(spec.Identity).Append('\n');
        foreach (string file in spec.Files)
        {
            using var stream = File.OpenRead(file);
            text.Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append('\n');
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
