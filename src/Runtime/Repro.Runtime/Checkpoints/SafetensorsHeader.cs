using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Checkpoints;

/// <summary>
/// A validated safetensors header. The file is: an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}</c>,
/// then the data region; offsets are relative to the data region, which the tensors must cover
/// contiguously (no gaps, no overlaps, nothing after the last tensor).
/// Parsing checks all of that against the file length before any tensor is allocated.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The reference implementation's cap; a larger length is a corrupt or hostile file.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;
    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(string path, long dataStart, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>File offset of the data region: 8 + N.</summary>
    public long DataStart { get; }

    /// <summary>Entries in data order (ascending offsets).</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    /// <summary>Reads and validates the header of the file at <paramref name="path"/>; throws a one-line <see cref="BadInputException"/>.</summary>
    public static SafetensorsHeader Read(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{path}: file not found");
        using var stream = OpenRead(path);
        return Read(stream, path);
    }

    internal static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot open: {e.Message}", e);
        }
    }

    internal static SafetensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Bad(path, $"truncated: {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong n = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > (ulong)(fileLength - 8))
            throw Bad(path, $"header length {n} is larger than the file allows ({fileLength - 8} bytes after the length field); truncated or not safetensors");
        if (n > MaxHeaderBytes)
            throw Bad(path, $"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
        if (n < 2)
            throw Bad(path, $"header length {n} is too small for a JSON object");

        var headerBytes = new byte[n];
        stream.ReadExactly(headerBytes);
        string json;
        try
        {
            json = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(path, "header is not valid UTF-8");
        }
        long dataStart = 8 + (long)n;
        return Parse(json, path, dataStart, fileLength - dataStart);
    }

    private static SafetensorsHeader Parse(string json, string path, long dataStart, long dataLength)
    {
        if (!json.StartsWith('{'))
            throw Bad(path, "header does not start with '{'; not a safetensors file");
        JObject root;
        try
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal };
            root = JObject.Load(reader, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
            // Only the trailing spaces that writers add for alignment may follow the object.
            while (reader.Read())
                throw new JsonReaderException($"unexpected {reader.TokenType} after the header object");
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not valid JSON: {OneLine(e.Message)}");
        }

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<SafetensorsEntry>();
        foreach (var prop in root.Properties())
        {
            if (prop.Name == MetadataKey)
            {
                if (prop.Value is not JObject meta)
                    throw Bad(path, $"{MetadataKey} must be an object of strings");
                foreach (var m in meta.Properties())
                    metadata[m.Name] = m.Value.Type == JTokenType.String
                        ? (string)m.Value!
                        : throw Bad(path, $"{MetadataKey}[\"{m.Name}\"] must be a string, got {m.Value.Type}");
                continue;
            }
            entries.Add(ParseEntry(prop, path));
        }

        // The data region is laid out in offset order: check that order covers it exactly.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw Bad(path, $"tensor '{e.Name}' data_offsets [{e.Begin},{e.End}] run past the end of the data region ({dataLength} bytes); truncated file or bad offsets");
            if (e.Begin < expected)
                throw Bad(path, $"tensor '{e.Name}' data_offsets [{e.Begin},{e.End}] overlap tensor '{previous!.Name}' [{previous.Begin},{previous.End}]");
            if (e.Begin > expected)
                throw Bad(path, $"tensor '{e.Name}' starts at data offset {e.Begin} but the previous tensor ends at {expected}; the data region must be contiguous");
            expected = e.End;
            previous = e;
        }
        if (expected != dataLength)
            throw Bad(path, $"the tensors cover {expected} bytes but the data region holds {dataLength}; trailing bytes after the last tensor");

        return new SafetensorsHeader(path, dataStart, entries, metadata);
    }

    private static SafetensorsEntry ParseEntry(JProperty prop, string path)
    {
        string name = prop.Name;
        if (prop.Value is not JObject o)
            throw Bad(path, $"tensor '{name}': entry must be an object with dtype, shape and data_offsets");
        foreach (var key in o.Properties())
            if (key.Name is not ("dtype" or "shape" or "data_offsets"))
                throw Bad(path, $"tensor '{name}': unknown field \"{key.Name}\"");

        if (!o.TryGetValue("dtype", out var dtypeToken) || dtypeToken.Type != JTokenType.String)
            throw Bad(path, $"tensor '{name}': dtype missing or not a string");
        string dtype = (string)dtypeToken!;
        if (!SafetensorsDType.TryParse(dtype, out var scalarType, out int elementSize))
            throw Bad(path, $"tensor '{name}': {SafetensorsDType.WhyUnreadable(dtype)}");

        if (!o.TryGetValue("shape", out var shapeToken) || shapeToken is not JArray shapeArray)
            throw Bad(path, $"tensor '{name}': shape missing or not an array");
        var shape = new long[shapeArray.Count];
        for (int i = 0; i < shape.Length; i++)
            shape[i] = NonNegative(shapeArray[i], path, $"tensor '{name}': shape[{i}]");

        if (!o.TryGetValue("data_offsets", out var offToken) || offToken is not JArray offArray || offArray.Count != 2)
            throw Bad(path, $"tensor '{name}': data_offsets missing or not [begin, end]");
        long begin = NonNegative(offArray[0], path, $"tensor '{name}': data_offsets[0]");
        long end = NonNegative(offArray[1], path, $"tensor '{name}': data_offsets[1]");
        if (end < begin)
            throw Bad(path, $"tensor '{name}': data_offsets [{begin},{end}] end before they begin");

        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * elementSize);
        }
        catch (OverflowException)
        {
            throw Bad(path, $"tensor '{name}': shape [{string.Join(",", shape)}] is too large");
        }
        if (bytes != end - begin)
            throw Bad(path, $"tensor '{name}': {dtype} × [{string.Join(",", shape)}] is {bytes} bytes but data_offsets [{begin},{end}] hold {end - begin}");
        return new SafetensorsEntry(name, dtype, scalarType, shape, begin, end);
    }

    private static long NonNegative(JToken token, string path, string what)
    {
        if (token.Type != JTokenType.Integer || token.Value<object>() is System.Numerics.BigInteger)
            throw Bad(path, $"{what} must be a non-negative integer, got {token.ToString(Formatting.None)}");
        long v = token.Value<long>();
        return v >= 0 ? v : throw Bad(path, $"{what} must be a non-negative integer, got {v}");
    }

    internal static BadInputException Bad(string path, string cause) => new($"{path}: {cause}");
    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
