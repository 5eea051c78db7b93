using System.Globalization;

namespace Repro.Pipeline.Hashing;

/// <summary>
/// The files that define a data source, per the spec syntax in docs/contracts.md, and the spec's
/// path-free settings. Paths never enter a key (so clones at different paths share a cache);
/// the files' contents do. No file is decoded here.
/// </summary>
internal static class DataSpecFiles
{
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>(kind and settings without paths, files in a fixed order with a role name each).</summary>
    public static (string Canonical, IReadOnlyList<(string Role, string Path)> Files) Resolve(string spec, string baseDirectory, string where)
    {
        string s = spec.Trim();
        if (s.Length == 0)
            throw new BadInputException($"{where}: empty data spec.");
        int colon = s.IndexOf(':');
        string kind = colon < 0 ? "" : s[..colon];
        string rest = colon < 0 ? s : s[(colon + 1)..];

        switch (kind)
        {
            case "synthetic":
                return ("synthetic:" + CanonicalOptions(rest, where), Array.Empty<(string, string)>());
            case "fashion-mnist":
            case "mnist":
            {
                (string split, string? dir) = SplitAndFolder(rest, where, spec);
                if (dir == null && kind == "mnist")
                    throw new BadInputException($"{where} '{spec}': mnist needs a folder, e.g. mnist:train@<dir>.");
                string folder = dir == null ? DebianFashionMnist : Rooted(dir, baseDirectory);
                string prefix = split == "train" ? "train" : "t10k";
                return ($"{kind}:{split}", new[]
                {
                    ("images", IdxFile(folder, $"{prefix}-images-idx3-ubyte", where, spec)),
                    ("labels", IdxFile(folder, $"{prefix}-labels-idx1-ubyte", where, spec)),
                });
            }
            case "idx":
            {
                var parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0))
                    throw new BadInputException($"{where} '{spec}': expected idx:<images-file>[,<labels-file>].");
                var files = new List<(string, string)> { ("images", Existing(Rooted(parts[0], baseDirectory), where, spec)) };
                if (parts.Length == 2)
                    files.Add(("labels", Existing(Rooted(parts[1], baseDirectory), where, spec)));
                return ("idx", files);
            }
            case "cifar10":
            {
                if (rest.StartsWith("train@", StringComparison.Ordinal) || rest.StartsWith("test@", StringComparison.Ordinal))
                {
                    (string split, string? dir) = SplitAndFolder(rest, where, spec);
                    string folder = Rooted(dir!, baseDirectory);
                    var names = split == "train"
                        ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray()
                        : new[] { "test_batch.bin" };
                    return ($"cifar10:{split}", names.Select(n => (n, Existing(Path.Combine(folder, n), where, spec))).ToArray());
                }
                var parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Any(p => p.Length == 0))
                    throw new BadInputException($"{where} '{spec}': expected cifar10:<file.bin>[,<file.bin>...].");
                return ("cifar10", parts.Select((p, i) => ($"batch{i}", Existing(Rooted(p, baseDirectory), where, spec))).ToArray());
            }
            case "tensors":
                return ("tensors", new[] { ("tensors", Existing(Rooted(rest, baseDirectory), where, spec)) });
            default:
                if (s.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    return ("tensors", new[] { ("tensors", Existing(Rooted(s, baseDirectory), where, spec)) });
                throw new BadInputException(
                    $"{where} '{spec}': unknown data source; use fashion-mnist:, mnist:, idx:, cifar10:, tensors:, a .safetensors file or synthetic:.");
        }
    }

    private static (string Split, string? Dir) SplitAndFolder(string rest, string where, string spec)
    {
        int at = rest.IndexOf('@');
        string split = at < 0 ? rest : rest[..at];
        string? dir = at < 0 ? null : rest[(at + 1)..];
        if (split is not ("train" or "test"))
            throw new BadInputException($"{where} '{spec}': split must be train or test.");
        if (dir is { Length: 0 })
            throw new BadInputException($"{where} '{spec}': empty folder after '@'.");
        return (split, dir);
    }

    /// <summary>gzip or raw IDX, whichever exists (gzip first, as Debian ships it).</summary>
    private static string IdxFile(string folder, string name, string where, string spec)
    {
        string gz = Path.Combine(folder, name + ".gz");
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(folder, name);
        if (File.Exists(raw)) return raw;
        throw new BadInputException($"{where} '{spec}': {raw}(.gz) not found.");
    }

    private static string Existing(string path, string where, string spec)
        => File.Exists(path) ? path : throw new BadInputException($"{where} '{spec}': {path} not found.");

    private static string Rooted(string path, string baseDirectory)
        => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));

    /// <summary>synthetic options sorted by name, values as written: "n=512,c=1" and "c=1, n=512" are one dataset.</summary>
    private static string CanonicalOptions(string options, string where)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in options.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0)
                throw new BadInputException($"{where} 'synthetic:{options}': expected name=value pairs, got '{part}'.");
            string name = part[..eq].Trim().ToLowerInvariant();
            string value = part[(eq + 1)..].Trim();
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                value = n.ToString(CultureInfo.InvariantCulture);
            if (!pairs.TryAdd(name, value))
                throw new BadInputException($"{where} 'synthetic:{options}': '{name}' given twice.");
        }
        return string.Join(",", pairs.Select(kv => $"{kv.Key}={kv.Value}"));
    }
}
