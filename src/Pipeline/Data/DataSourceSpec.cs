using System.Globalization;

namespace Repro.Pipeline.Data;

/// <summary>
/// A parsed data-source spec: which kind of source, and which files hold its data. No decoding
/// happens here (this assembly never loads libtorch); the runtime's <c>DataSource.Load</c> reads the files.
/// <code>
/// fashion-mnist:train | fashion-mnist:test[@dir]    default dir /usr/share/datasets/fashion-mnist
/// mnist:train|test@dir                               MNIST IDX files in dir
/// idx:images[,labels]                                explicit IDX files (gzip or raw)
/// cifar10:train|test@dir | cifar10:a.bin[,b.bin…]   CIFAR-10 binary batches
/// tensors:file.safetensors | file.safetensors        preprocessed images float32 [N,C,H,W], labels int64 [N]
/// synthetic:n=512,c=1,h=28,w=28,classes=10,seed=1    seeded; n required, others default to c=1,h=28,w=28,classes=10,seed=0
/// </code>
/// Relative paths resolve against the base directory given to <see cref="Parse"/> (an experiment
/// file's folder, or the working directory). For IDX datasets named by split, each file is looked
/// for gzipped (<c>train-images-idx3-ubyte.gz</c>) first, then raw.
/// <para>
/// The data's fingerprint is <see cref="Identity"/> plus the content of <see cref="Files"/>, in order:
/// paths are left out, so moving a dataset does not change it, while the kind (which fixes
/// decoding and normalisation) and the synthetic parameters are in.
/// </para>
/// Malformed specs throw <see cref="BadInputException"/> naming the spec and the cause.
/// </summary>
public sealed class DataSourceSpec
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string FashionMnistDefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The spec as the user wrote it.</summary>
    public string Text { get; }
    public DataSourceKind Kind { get; }
    /// <summary><c>train</c> or <c>test</c> for sources named by split; otherwise null.</summary>
    public string? Split { get; }
    /// <summary>IDX image file (fashion-mnist, mnist, idx); absolute.</summary>
    public string? ImagesFile { get; }
    /// <summary>IDX label file; null for <c>idx:</c> without labels.</summary>
    public string? LabelsFile { get; }
    /// <summary>CIFAR-10 binary files in the order their records are concatenated; absolute.</summary>
    public IReadOnlyList<string> CifarFiles { get; }
    /// <summary>The safetensors file of a tensors source; absolute.</summary>
    public string? TensorFile { get; }
    /// <summary>The parameters of a synthetic source; null otherwise.</summary>
    public SyntheticParameters? Synthetic { get; }
    /// <summary>Every file whose content defines the data, absolute, in a fixed order. Empty for synthetic.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>
    /// What besides the files' content defines the data: <c>fashion-mnist:train</c>, <c>idx</c>,
    /// <c>cifar10</c>, <c>synthetic:n=…,c=…,…</c> and so on.
    /// </summary>
    public string Identity { get; }

    /// <summary>The kind as spelled in specs: fashion-mnist, mnist, idx, cifar10, tensors, synthetic.</summary>
    public string KindName => KindNames[Kind];

    private static readonly Dictionary<DataSourceKind, string> KindNames = new()
    {
        [DataSourceKind.FashionMnist] = "fashion-mnist",
        [DataSourceKind.Mnist] = "mnist",
        [DataSourceKind.Idx] = "idx",
        [DataSourceKind.Cifar10] = "cifar10",
        [DataSourceKind.Tensors] = "tensors",
        [DataSourceKind.Synthetic] = "synthetic",
    };

    private DataSourceSpec(string text, DataSourceKind kind, string? split = null, string? images = null, string? labels = null,
        IReadOnlyList<string>? cifar = null, string? tensorFile = null, SyntheticParameters? synthetic = null)
    {
        Text = text;
        Kind = kind;
        Split = split;
        ImagesFile = images;
        LabelsFile = labels;
        CifarFiles = cifar ?? [];
        TensorFile = tensorFile;
        Synthetic = synthetic;
        var files = new List<string>();
        if (images != null) files.Add(images);
        if (labels != null) files.Add(labels);
        files.AddRange(CifarFiles);
        if (tensorFile != null) files.Add(tensorFile);
        Files = files;
        Identity = synthetic != null ? $"synthetic:{synthetic.Canonical}"
            : split != null ? $"{KindNames[kind]}:{split}"
            : KindNames[kind];
    }

    /// <summary>The spec with every path resolved, e.g. <c>idx:/data/a-images,/data/a-labels</c>.</summary>
    public override string ToString() => Kind switch
    {
        DataSourceKind.Synthetic => Identity,
        DataSourceKind.Tensors => $"tensors:{TensorFile}",
        DataSourceKind.Cifar10 => $"cifar10:{string.Join(',', CifarFiles)}",
        DataSourceKind.Idx => LabelsFile == null ? $"idx:{ImagesFile}" : $"idx:{ImagesFile},{LabelsFile}",
        _ => $"{KindName}:{Split}@{Path.GetDirectoryName(ImagesFile)}",
    };

    /// <param name="spec">The spec text; see the class summary for the syntax.</param>
    /// <param name="baseDirectory">Folder that relative paths resolve against; the working directory when null.</param>
    public static DataSourceSpec Parse(string spec, string? baseDirectory = null)
    {
        string text = (spec ?? "").Trim();
        if (text.Length == 0)
            throw Bad(spec ?? "", "empty; expected e.g. fashion-mnist:train, idx:<images>[,<labels>] or synthetic:n=512");
        string baseDir = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());

        int colon = text.IndexOf(':');
        string prefix = colon < 0 ? "" : text[..colon].ToLowerInvariant();
        string rest = colon < 0 ? "" : text[(colon + 1)..].Trim();
        switch (prefix)
        {
            case "fashion-mnist":
                return ParseIdxSplit(text, DataSourceKind.FashionMnist, rest, baseDir, FashionMnistDefaultDirectory);
            case "mnist":
                return ParseIdxSplit(text, DataSourceKind.Mnist, rest, baseDir, defaultDirectory: null);
            case "idx":
                return ParseIdxFiles(text, rest, baseDir);
            case "cifar10":
                return ParseCifar(text, rest, baseDir);
            case "tensors":
                if (rest.Length == 0) throw Bad(text, "no file after 'tensors:'");
                return new DataSourceSpec(text, DataSourceKind.Tensors, tensorFile: Resolve(rest, baseDir));
            case "synthetic":
                return new DataSourceSpec(text, DataSourceKind.Synthetic, synthetic: ParseSynthetic(text, rest));
        }
        if (text.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return new DataSourceSpec(text, DataSourceKind.Tensors, tensorFile: Resolve(text, baseDir));
        throw Bad(text, colon < 0
            ? "expected <kind>:<…> with kind fashion-mnist, mnist, idx, cifar10, tensors or synthetic, or a *.safetensors file"
            : $"unknown kind '{text[..colon]}'; expected fashion-mnist, mnist, idx, cifar10, tensors or synthetic");
    }

    private static DataSourceSpec ParseIdxSplit(string text, DataSourceKind kind, string rest, string baseDir, string? defaultDirectory)
    {
        (string split, string? dir) = ParseSplit(text, rest);
        string directory = dir != null ? Resolve(dir, baseDir)
            : defaultDirectory ?? throw Bad(text, $"{KindNames[kind]} has no default folder; write {KindNames[kind]}:{split}@<dir>");
        string stem = split == "train" ? "train" : "t10k";
        return new DataSourceSpec(text, kind, split,
            images: GzipOrRaw(Path.Combine(directory, $"{stem}-images-idx3-ubyte")),
            labels: GzipOrRaw(Path.Combine(directory, $"{stem}-labels-idx1-ubyte")));
    }

    private static DataSourceSpec ParseIdxFiles(string text, string rest, string baseDir)
    {
        string[] files = SplitFiles(text, rest, "idx");
        if (files.Length > 2)
            throw Bad(text, $"idx takes an image file and optionally a label file, got {files.Length} files");
        return new DataSourceSpec(text, DataSourceKind.Idx,
            images: Resolve(files[0], baseDir),
            labels: files.Length == 2 ? Resolve(files[1], baseDir) : null);
    }

    private static DataSourceSpec ParseCifar(string text, string rest, string baseDir)
    {
        string lower = rest.ToLowerInvariant();
        bool bySplit = lower is "train" or "test" || lower.StartsWith("train@", StringComparison.Ordinal) || lower.StartsWith("test@", StringComparison.Ordinal);
        if (!bySplit)
            return new DataSourceSpec(text, DataSourceKind.Cifar10,
                cifar: SplitFiles(text, rest, "cifar10").Select(f => Resolve(f, baseDir)).ToArray());

        (string split, string? dir) = ParseSplit(text, rest);
        if (dir == null) throw Bad(text, $"cifar10 has no default folder; write cifar10:{split}@<dir>");
        string directory = Resolve(dir, baseDir);
        // The official archive unpacks into cifar-10-batches-bin/; accept its parent too.
        string nested = Path.Combine(directory, "cifar-10-batches-bin");
        string first = split == "train" ? "data_batch_1.bin" : "test_batch.bin";
        if (!File.Exists(Path.Combine(directory, first)) && File.Exists(Path.Combine(nested, first)))
            directory = nested;
        string[] names = split == "train"
            ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray()
            : ["test_batch.bin"];
        return new DataSourceSpec(text, DataSourceKind.Cifar10, split, cifar: names.Select(n => Path.Combine(directory, n)).ToArray());
    }

    private static SyntheticParameters ParseSynthetic(string text, string rest)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        string[] known = ["n", "c", "h", "w", "classes", "seed"];
        foreach (string part in rest.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw Bad(text, "empty synthetic parameter; expected n=…,c=…,h=…,w=…,classes=…,seed=…");
            int eq = part.IndexOf('=');
            string key = eq < 0 ? part : part[..eq].Trim().ToLowerInvariant();
            if (eq < 0) throw Bad(text, $"synthetic parameter '{part}' has no value; write {key}=<integer>");
            if (!known.Contains(key)) throw Bad(text, $"unknown synthetic parameter '{key}'; known: n, c, h, w, classes, seed");
            if (values.ContainsKey(key)) throw Bad(text, $"synthetic parameter '{key}' given twice");
            string raw = part[(eq + 1)..].Trim();
            if (!ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
                throw Bad(text, $"synthetic parameter {key}={raw} is not a non-negative integer");
            values[key] = v;
        }
        if (!values.TryGetValue("n", out ulong n)) throw Bad(text, "synthetic needs n=<sample count>");

        int Dim(string key, int fallback)
        {
            ulong v = values.TryGetValue(key, out ulong x) ? x : (ulong)fallback;
            if (v < 1 || v > 65536) throw Bad(text, $"synthetic parameter {key}={v} must be between 1 and 65536");
            return (int)v;
        }
        var p = new SyntheticParameters(
            Count: n < 1 || n > int.MaxValue ? throw Bad(text, $"synthetic parameter n={n} must be between 1 and {int.MaxValue}") : (long)n,
            Channels: Dim("c", SyntheticParameters.DefaultChannels),
            Height: Dim("h", SyntheticParameters.DefaultHeight),
            Width: Dim("w", SyntheticParameters.DefaultWidth),
            Classes: Dim("classes", SyntheticParameters.DefaultClasses),
            Seed: values.TryGetValue("seed", out ulong seed) ? seed : SyntheticParameters.DefaultSeed);
        // One float32 tensor holds the images: keep it addressable and within reason (16 GiB).
        if ((double)p.Count * p.Channels * p.Height * p.Width > 4L << 30)
            throw Bad(text, $"synthetic images of {p.Count}x{p.Channels}x{p.Height}x{p.Width} floats exceed 16 GiB");
        return p;
    }

    private static (string Split, string? Dir) ParseSplit(string text, string rest)
    {
        int at = rest.IndexOf('@');
        string split = (at < 0 ? rest : rest[..at]).Trim().ToLowerInvariant();
        if (split is not ("train" or "test"))
            throw Bad(text, $"split '{(at < 0 ? rest : rest[..at])}' is neither train nor test");
        if (at < 0) return (split, null);
        string dir = rest[(at + 1)..].Trim();
        if (dir.Length == 0) throw Bad(text, "no folder after '@'");
        return (split, dir);
    }

    private static string[] SplitFiles(string text, string rest, string kind)
    {
        string[] files = rest.Split(',', StringSplitOptions.TrimEntries);
        if (rest.Length == 0 || files.Any(f => f.Length == 0))
            throw Bad(text, $"empty file name in '{kind}:' list");
        return files;
    }

    private static string Resolve(string path, string baseDir) => Path.GetFullPath(path, baseDir);

    private static string GzipOrRaw(string rawPath)
    {
        string gz = rawPath + ".gz";
        return File.Exists(gz) || !File.Exists(rawPath) ? gz : rawPath;
    }

    private static BadInputException Bad(string spec, string cause) => new($"data spec '{spec}': {cause}");
}
