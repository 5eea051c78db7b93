using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Checkpoints;

/// <summary>
/// A ResNet in a safetensors file: torchvision-named tensors, the model config as JSON in
/// <c>__metadata__["repro.model"]</c>, plus the caller's provenance (<c>repro.*</c> keys).
/// Loading checks that the config and the tensors agree, key for key, shape for shape, dtype for dtype.
/// </summary>
public static class ModelCheckpoint
{
    public const string ModelConfigKey = "repro.model";
    public const string ProvenancePrefix = "repro.";

    /// <summary>Writes <paramref name="model"/>'s state dict atomically and deterministically.</summary>
    /// <param name="provenance">Extra metadata; every key must start with <c>repro.</c> and must not be <c>repro.model</c>.</param>
    public static void Save(string path, ResNet model, IReadOnlyDictionary<string, string>? provenance = null)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in provenance ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(ProvenancePrefix, StringComparison.Ordinal) || key == ModelConfigKey)
                throw new ArgumentException($"checkpoint metadata key '{key}' must start with '{ProvenancePrefix}' and must not be '{ModelConfigKey}'");
            metadata[key] = value;
        }
        metadata[ModelConfigKey] = model.Config.ToJson();
        SafetensorsWriter.Write(path, model.state_dict(), metadata);
    }

    /// <summary>Builds the model described by the checkpoint and loads its tensors (on CPU, then moved to <paramref name="device"/>).</summary>
    public static LoadedModel Load(string path, Device? device = null)
    {
        using var content = SafetensorsReader.Read(path);
        var config = ReadConfig(content.Header);
        var model = BuildWithoutDisturbingRng(config);
        try
        {
            CheckAgreement(path, config, StateLayout(model), content.Header.Entries.Select(e => (e.Name, e.ScalarType, e.Shape)));
            CopyInto(model, content.Tensors);
            if (device is not null && device.type != DeviceType.CPU)
                model.to(device);
            return new LoadedModel(model, content.Metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The config and tensor list of a checkpoint, validated against each other, without reading tensor data.</summary>
    public static CheckpointDescription Describe(string path)
    {
        var header = SafetensorsHeader.Read(path);
        var config = ReadConfig(header);
        using (var model = BuildWithoutDisturbingRng(config))
            CheckAgreement(path, config, StateLayout(model), header.Entries.Select(e => (e.Name, e.ScalarType, e.Shape)));
        return new CheckpointDescription(path, config, header);
    }

    /// <summary>The <c>repro.model</c> config of a checkpoint; a missing or malformed one is bad input naming the file.</summary>
    public static ResNetConfig ReadConfig(SafetensorsHeader header)
    {
        if (!header.Metadata.TryGetValue(ModelConfigKey, out var json))
            throw new BadInputException(
                $"{header.Path}: no {ModelConfigKey} metadata, so the model config is unknown (a PyTorch file? use `repro import --model <config>`)");
        return ResNetConfig.Parse(json, header.Path, $"__metadata__.{ModelConfigKey}");
    }

    /// <summary>
    /// Builds a model for <paramref name="config"/> without advancing torch's global generator, so
    /// loading a checkpoint never changes what a later seeded step draws.
    /// </summary>
    public static ResNet BuildWithoutDisturbingRng(ResNetConfig config)
    {
        using var state = torch.random.get_rng_state();
        try
        {
            return new ResNet(config);
        }
        finally
        {
            torch.random.set_rng_state(state);
        }
    }

    /// <summary>Name, dtype and shape of every state-dict entry of <paramref name="model"/>.</summary>
    public static IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> StateLayout(nn.Module model) =>
        model.state_dict().Select(kv => (kv.Key, kv.Value.dtype, kv.Value.shape)).ToList();

    /// <summary>
    /// The state dict in PyTorch's order: modules in registration order, each module's parameters
    /// then its buffers (TorchSharp's <c>state_dict()</c> lists all parameters before all buffers).
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> TorchOrderedStateDict(nn.Module model)
    {
        var result = new List<(string, Tensor)>();
        void Visit(nn.Module module, string prefix)
        {
            foreach (var (name, p) in module.named_parameters(recurse: false))
                result.Add((prefix + name, p));
            foreach (var (name, b) in module.named_buffers(recurse: false))
                result.Add((prefix + name, b));
            foreach (var (name, child) in module.named_children())
                Visit(child, prefix + name + ".");
        }
        Visit(model, "");
        return result;
    }

    /// <summary>
    /// Throws a one-line <see cref="BadInputException"/> naming <paramref name="path"/> and the first
    /// offending key (in ordinal order) when <paramref name="actual"/> is not exactly <paramref name="expected"/>.
    /// </summary>
    public static void CheckAgreement(string path, ResNetConfig config,
        IEnumerable<(string Name, ScalarType DType, long[] Shape)> expected,
        IEnumerable<(string Name, ScalarType DType, long[] Shape)> actual)
    {
        var want = expected.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var have = actual.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (string name in want.Keys.Union(have.Keys).Order(StringComparer.Ordinal))
        {
            bool wanted = want.TryGetValue(name, out var w);
            bool present = have.TryGetValue(name, out var h);
            if (!present)
                throw new BadInputException($"{path}: tensor '{name}' is missing; the model config ({config}) needs it");
            if (!wanted)
                throw new BadInputException($"{path}: tensor '{name}' is not part of the model config ({config})");
            if (!w.Shape.SequenceEqual(h.Shape))
                throw new BadInputException($"{path}: tensor '{name}' has shape {Shape(h.Shape)} but the model config ({config}) needs {Shape(w.Shape)}");
            if (w.DType != h.DType)
                throw new BadInputException($"{path}: tensor '{name}' is {SafetensorsDType.NameOf(h.DType)} but the model needs {SafetensorsDType.NameOf(w.DType)}");
        }
    }

    /// <summary>Copies same-named tensors into the model's parameters and buffers; layouts must already agree.</summary>
    public static void CopyInto(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var _ = torch.no_grad();
        foreach (var (name, target) in model.state_dict())
            target.copy_(tensors[name]);
    }

    private static string Shape(long[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>A model loaded from a checkpoint, with the checkpoint's metadata. Disposing it disposes the model.</summary>
public sealed class LoadedModel(ResNet model, IReadOnlyDictionary<string, string> metadata) : IDisposable
{
    public ResNet Model { get; } = model;
    public ResNetConfig Config => Model.Config;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
    public void Dispose() => Model.Dispose();
}

/// <summary>What a checkpoint holds, read from its header alone.</summary>
public sealed record CheckpointDescription(string Path, ResNetConfig Config, SafetensorsHeader Header)
{
    private static bool IsBuffer(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal)
        || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// <summary>Trainable parameter count: every tensor except BN running statistics and counters.</summary>
    public long ParameterCount => Header.Entries.Where(e => !IsBuffer(e.Name)).Sum(e => e.ElementCount);

    /// <summary>Each BatchNorm's state-dict prefix and channel count, in module order.</summary>
    public IReadOnlyList<(string Name, long Channels)> BatchNorms => Header.Entries
        .Where(e => e.Name.EndsWith(".running_mean", StringComparison.Ordinal))
        .Select(e => (e.Name[..^".running_mean".Length], e.Shape[0]))
        .OrderBy(b => b.Item1, StateKeyComparer.Instance)
        .ToList();
}
