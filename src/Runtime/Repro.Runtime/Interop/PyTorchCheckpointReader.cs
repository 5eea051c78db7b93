using System.IO.Compression;
using Repro.Runtime.Checkpoints;
using static TorchSharp.torch;

namespace Repro.Runtime.Interop;

/// <summary>
/// Reads a state dict written by <c>torch.save</c> (the zip format of PyTorch ≥ 1.6): a pickle
/// <c>&lt;archive&gt;/data.pkl</c> whose tensors point, by persistent id, at raw little-endian storages
/// <c>&lt;archive&gt;/data/&lt;key&gt;</c>. The pickle is read by <see cref="RestrictedUnpickler"/>, which
/// refuses anything but tensors and plain containers; every tensor is checked against its storage
/// before any is allocated. Views (offsets, strides, shared storages) become contiguous tensors.
/// </summary>
public static class PyTorchCheckpointReader
{
    private const long MaxPickleBytes = 256L * 1024 * 1024;

    /// <summary>True when the file starts like a zip archive (what torch.save writes).</summary>
    public static bool LooksLikeTorchZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(head) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /// <summary>
    /// The name → tensor map of a torch.save file. When the top-level object is a dict holding other
    /// things too (a training checkpoint), <paramref name="key"/> picks the entry that is the state dict.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path, string? key = null)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{path}: file not found");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("torch.save storages are little-endian; this machine is not");

        using var file = OpenArchive(path);
        var archive = file.Archive;
        var pklEntries = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (pklEntries.Count != 1)
            throw Bad(path, pklEntries.Count == 0 ? "no <archive>/data.pkl inside; not a torch.save file" : "more than one data.pkl inside; not a torch.save file");
        string prefix = pklEntries[0].FullName[..^"data.pkl".Length];
        var byteOrder = archive.GetEntry(prefix + "byteorder");
        if (byteOrder is not null)
        {
            string order = ReadText(byteOrder, path).Trim();
            if (order != "little")
                throw Bad(path, $"storages are {order}-endian; Repro reads little-endian files");
        }

        byte[] pickle = ReadAll(pklEntries[0], path, MaxPickleBytes);
        var storages = new Dictionary<string, TorchStorageRef>(StringComparer.Ordinal);
        var unpickler = new RestrictedUnpickler(pickle, path, (k, s) =>
        {
            if (!storages.TryGetValue(k, out var existing))
                return storages[k] = s;
            if (existing.DType != s.DType || existing.ElementCount != s.ElementCount)
                throw Bad(path, $"storage '{k}' is named twice with different types (corrupt)");
            return existing;
        });
        object? root = unpickler.Load();

        var recipes = SelectStateDict(root, key, path);
        foreach (var s in storages.Values)
        {
            var entry = archive.GetEntry($"{prefix}data/{s.Key}")
                ?? throw Bad(path, $"storage '{s.Key}' has no {prefix}data/{s.Key} entry (truncated or corrupt)");
            long expected = s.ElementCount * SafetensorsDType.SizeOf(s.DType);
            if (entry.Length != expected)
                throw Bad(path, $"storage '{s.Key}' holds {entry.Length} bytes but {s.ElementCount} × {s.StorageType} need {expected}");
        }
        foreach (var (name, r) in recipes)
            CheckFitsStorage(name, r, path);
        return Materialize(recipes, storages, archive, prefix, path);
    }

    private static List<(string Name, TensorRecipe Recipe)> SelectStateDict(object? root, string? key, string path)
    {
        if (root is not PickleDict top)
            throw Bad(path, $"holds a {RestrictedUnpickler.Describe(root)}, not a dict of tensors (a state dict)");
        PickleDict dict = top;
        if (key is not null)
        {
            if (!top.TryGet(key, out var inner) || inner is not PickleDict innerDict)
                throw Bad(path, $"--key {key}: " + (top.TryGet(key, out var other)
                    ? $"the entry is a {RestrictedUnpickler.Describe(other)}, not a dict of tensors"
                    : $"no such entry; top-level keys: {KeyList(top)}"));
            dict = innerDict;
        }
        var result = new List<(string, TensorRecipe)>();
        foreach (var (k, v) in dict.Items)
        {
            if (k is not string name)
                throw Bad(path, $"a state-dict key is a {RestrictedUnpickler.Describe(k)}, not a str");
            if (v is not TensorRecipe recipe)
            {
                string where = key is null ? "" : $"[{key}]";
                string hint = key is null && dict.Items.Any(i => i.Value is PickleDict) ? $"; a training checkpoint? pick its state dict with --key (top-level keys: {KeyList(top)})" : "";
                throw Bad(path, $"entry{where} '{name}' is a {RestrictedUnpickler.Describe(v)}, not a tensor{hint}");
            }
            result.Add((name, recipe));
        }
        return result;
    }

    private static string KeyList(PickleDict d) => string.Join(", ", d.Items.Select(i => i.Key.ToString()).Take(12)) + (d.Count > 12 ? ", …" : "");

    private static void CheckFitsStorage(string name, TensorRecipe r, string path)
    {
        if (r.Size.Length != r.Stride.Length)
            throw Bad(path, $"tensor '{name}': size and stride have different lengths (corrupt)");
        if (r.StorageOffset < 0 || r.Size.Any(s => s < 0) || r.Stride.Any(s => s < 0))
            throw Bad(path, $"tensor '{name}': negative size, stride or offset (corrupt)");
        if (r.Size.Any(s => s == 0))
            return;
        try
        {
            long last = r.StorageOffset;
            for (int i = 0; i < r.Size.Length; i++)
                last = checked(last + (r.Size[i] - 1) * r.Stride[i]);
            if (last >= r.Storage.ElementCount)
                throw Bad(path, $"tensor '{name}' reaches element {last} of storage '{r.Storage.Key}', which has {r.Storage.ElementCount} (corrupt)");
        }
        catch (OverflowException)
        {
            throw Bad(path, $"tensor '{name}': size and stride overflow (corrupt)");
        }
    }

    private static Dictionary<string, Tensor> Materialize(List<(string Name, TensorRecipe Recipe)> recipes,
        Dictionary<string, TorchStorageRef> storages, ZipArchive archive, string prefix, string path)
    {
        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var key in recipes.Select(r => r.Recipe.Storage.Key).Distinct())
            {
                var s = storages[key];
                var t = empty(s.ElementCount, s.DType);
                loaded[key] = t;
                if (s.ElementCount == 0) continue;
                using var stream = archive.GetEntry($"{prefix}data/{key}")!.Open();
                try
                {
                    stream.ReadExactly(t.bytes);
                }
                catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
                {
                    throw Bad(path, $"storage '{key}' cannot be read: {e.Message}");
                }
            }
            foreach (var (name, r) in recipes)
            {
                using var view = loaded[r.Storage.Key].as_strided(r.Size, r.Stride, r.StorageOffset);
                var own = empty(r.Size, r.Storage.DType);
                own.copy_(view);
                result[name] = own;
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    private sealed class OpenedArchive(FileStream stream, ZipArchive archive) : IDisposable
    {
        public ZipArchive Archive { get; } = archive;
        public void Dispose()
        {
            Archive.Dispose();
            stream.Dispose();
        }
    }

    private static OpenedArchive OpenArchive(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> head = stackalloc byte[2];
            int n = stream.Read(head);
            stream.Position = 0;
            if (n == 2 && head[0] == 0x80 && head[1] == 0x02)
                throw Bad(path, "is in torch.save's legacy (pre-1.6) format; re-save it with a current PyTorch (torch.save(torch.load(f), f))");
            return new OpenedArchive(stream, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true));
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw Bad(path, $"not a torch.save zip archive ({e.Message.TrimEnd('.')})");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, string path, long max)
    {
        if (entry.Length > max)
            throw Bad(path, $"{entry.FullName} is {entry.Length} bytes; more than a state dict's pickle should be");
        var bytes = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw Bad(path, $"{entry.FullName} cannot be read: {e.Message}");
        }
        return bytes;
    }

    private static string ReadText(ZipArchiveEntry entry, string path) =>
        System.Text.Encoding.ASCII.GetString(ReadAll(entry, path, 64));

    private static BadInputException Bad(string path, string cause) => new($"{path}: {cause}");
}
