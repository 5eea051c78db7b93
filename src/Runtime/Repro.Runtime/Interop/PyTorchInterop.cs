using System.Security.Cryptography;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Interop;

/// <summary>How to read a foreign state dict.</summary>
public sealed record ImportOptions
{
    /// <summary>The model the tensors are for; when null, the input's own <c>repro.model</c> metadata.</summary>
    public ResNetConfig? Model { get; init; }

    /// <summary>Entry of a torch.save'd dict that holds the state dict (e.g. <c>state_dict</c>, <c>model</c>).</summary>
    public string? Key { get; init; }

    /// <summary>Prefix every key carries and the model's names do not (e.g. <c>module.</c> from DataParallel).</summary>
    public string? StripPrefix { get; init; }
}

/// <summary>What an import did, for the CLI and provenance.</summary>
public sealed record ImportSummary(string Format, ResNetConfig Config, int Tensors, int ConvertedDtypes, int FilledBatchCounters);

/// <summary>
/// PyTorch ↔ Repro: bring a state dict written by PyTorch (<c>torch.save</c> .pt/.pth, or safetensors)
/// into a Repro checkpoint, so Repro can recalibrate it; and export a Repro checkpoint as a .pt that
/// <c>torch.load</c> + <c>load_state_dict</c> read.
/// </summary>
public static class PyTorchInterop
{
    public const string SourceKey = "repro.import.source";
    public const string SourceHashKey = "repro.import.sha256";
    public const string SourceFormatKey = "repro.import.format";

    /// <summary>
    /// Reads <paramref name="input"/>, checks it against the model config key for key and shape for
    /// shape, and writes a Repro checkpoint to <paramref name="output"/> (atomically).
    /// Half/bfloat16/double floating tensors become float32 (the model's dtype); integer batch counters
    /// become int64; missing <c>num_batches_tracked</c> counters (PyTorch before 0.4.1 had none) become 0,
    /// as PyTorch's own BatchNorm loading does.
    /// </summary>
    public static ImportSummary Import(string input, string output, ImportOptions options)
    {
        if (!File.Exists(input))
            throw new BadInputException($"{input}: file not found");
        bool torchZip = PyTorchCheckpointReader.LooksLikeTorchZip(input) || IsLegacyTorch(input);
        if (!torchZip && options.Key is not null)
            throw new BadInputException($"--key {options.Key}: only applies to torch.save files; {input} is safetensors");

        Dictionary<string, Tensor> tensors;
        ResNetConfig? config = options.Model;
        if (torchZip)
        {
            tensors = PyTorchCheckpointReader.ReadStateDict(input, options.Key);
            if (config is null)
                throw new BadInputException($"--model is required: {input} is a torch.save file and does not say which model it holds");
        }
        else
        {
            using var content = SafetensorsReader.Read(input);
            config ??= content.Metadata.ContainsKey(ModelCheckpoint.ModelConfigKey)
                ? ModelCheckpoint.ReadConfig(content.Header)
                : throw new BadInputException($"--model is required: {input} has no {ModelCheckpoint.ModelConfigKey} metadata");
            tensors = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone(), StringComparer.Ordinal);
        }

        try
        {
            if (!string.IsNullOrEmpty(options.StripPrefix))
                tensors = StripPrefix(tensors, options.StripPrefix, input);

            using var model = ModelCheckpoint.BuildWithoutDisturbingRng(config);
            var expected = ModelCheckpoint.StateLayout(model).ToDictionary(e => e.Name, StringComparer.Ordinal);
            int converted = 0, filled = 0;
            foreach (var (name, want) in expected)
            {
                if (!tensors.TryGetValue(name, out var have))
                {
                    if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)
                        && tensors.ContainsKey(name[..^".num_batches_tracked".Length] + ".running_mean"))
                    {
                        tensors[name] = zeros(Array.Empty<long>(), ScalarType.Int64);
                        filled++;
                    }
                    continue;
                }
                if (have.dtype != want.DType && CanConvert(have.dtype, want.DType) && have.shape.SequenceEqual(want.Shape))
                {
                    tensors[name] = have.to(want.DType);
                    have.Dispose();
                    converted++;
                }
            }
            if (tensors.Count > 0 && !tensors.Keys.Any(expected.ContainsKey))
            {
                string first = tensors.Keys.Order(StringComparer.Ordinal).First();
                int dot = first.IndexOf('.');
                string prefix = dot > 0 ? first[..(dot + 1)] : "";
                if (prefix.Length > 0 && tensors.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                    throw new BadInputException($"{input}: no tensor has a model name; every key starts with '{prefix}' (saved from a wrapper such as DataParallel?): pass --strip-prefix {prefix}");
            }
            ModelCheckpoint.CheckAgreement(input, config, expected.Values, tensors.Select(kv => (kv.Key, kv.Value.dtype, kv.Value.shape)));
            ModelCheckpoint.CopyInto(model, tensors);

            string format = torchZip ? "torch.save" : "safetensors";
            ModelCheckpoint.Save(output, model, new Dictionary<string, string>
            {
                [SourceKey] = Path.GetFileName(input),
                [SourceHashKey] = Sha256(input),
                [SourceFormatKey] = format,
            });
            return new ImportSummary(format, config, tensors.Count, converted, filled);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Writes a Repro checkpoint's state dict as a torch.save .pt file, in PyTorch's key order.</summary>
    public static ResNetConfig Export(string checkpoint, string output)
    {
        using var loaded = ModelCheckpoint.Load(checkpoint);
        PyTorchCheckpointWriter.WriteStateDict(output, ModelCheckpoint.TorchOrderedStateDict(loaded.Model));
        return loaded.Config;
    }

    private static bool CanConvert(ScalarType from, ScalarType to) =>
        (IsFloat(from) && IsFloat(to)) || (IsInteger(from) && to == ScalarType.Int64);

    private static bool IsFloat(ScalarType t) => t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
    private static bool IsInteger(ScalarType t) => t is ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Byte;

    private static Dictionary<string, Tensor> StripPrefix(Dictionary<string, Tensor> tensors, string prefix, string input)
    {
        var without = tensors.Keys.FirstOrDefault(k => !k.StartsWith(prefix, StringComparison.Ordinal));
        if (without is not null)
            throw new BadInputException($"{input}: --strip-prefix {prefix}: tensor '{without}' does not start with it");
        return tensors.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }

    private static bool IsLegacyTorch(string path)
    {
        Span<byte> head = stackalloc byte[2];
        using var f = File.OpenRead(path);
        return f.Read(head) == 2 && head[0] == 0x80 && head[1] == 0x02;
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
