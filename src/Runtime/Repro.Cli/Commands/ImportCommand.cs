using System.ComponentModel;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Interop;
using Repro.Runtime.Models;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// `repro import`: a PyTorch state dict (torch.save .pt/.pth, or safetensors) → a Repro checkpoint,
/// checked key for key and shape for shape against the model config.
/// </summary>
public sealed class ImportCommand : Command<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--in <FILE>")]
        [Description("torch.save file (.pt/.pth) holding a state dict, or a safetensors file.")]
        public string? In { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The Repro checkpoint to write (.safetensors).")]
        public string? Out { get; init; }

        [CommandOption("--model <CONFIG>")]
        [Description("The model: a JSON file (a model config or an experiment file with a `model` section) or inline JSON. Optional for a safetensors input that carries repro.model.")]
        public string? Model { get; init; }

        [CommandOption("--key <KEY>")]
        [Description("Entry of a torch.save'd dict that holds the state dict, e.g. state_dict.")]
        public string? Key { get; init; }

        [CommandOption("--strip-prefix <PREFIX>")]
        [Description("Prefix to remove from every tensor name, e.g. module. (DataParallel).")]
        public string? StripPrefix { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(In)) return Spectre.Console.ValidationResult.Error("--in is required");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new ImportOptions
        {
            Model = settings.Model is null ? null : ReadModelConfig(settings.Model),
            Key = settings.Key,
            StripPrefix = settings.StripPrefix,
        };
        var summary = PyTorchInterop.Import(settings.In!, settings.Out!, options);
        Console.Out.WriteLine($"imported {summary.Tensors} tensors from {settings.In} ({summary.Format}) into {settings.Out}");
        Console.Out.WriteLine($"model: {summary.Config}");
        if (summary.ConvertedDtypes > 0)
            Console.Out.WriteLine($"converted {summary.ConvertedDtypes} tensors to the model's dtypes (float32 / int64)");
        if (summary.FilledBatchCounters > 0)
            Console.Out.WriteLine($"set {summary.FilledBatchCounters} missing num_batches_tracked counters to 0, as PyTorch does for old checkpoints");
        return CliErrors.Ok;
    }

    /// <summary>Inline JSON, a model-config file, or an experiment file's `model` section.</summary>
    internal static ResNetConfig ReadModelConfig(string value)
    {
        if (value.TrimStart().StartsWith('{'))
            return ResNetConfig.Parse(value, "--model");
        if (!File.Exists(value))
            throw new BadInputException($"--model {value}: file not found (give a JSON file or inline JSON)");
        string text = File.ReadAllText(value);
        JToken token;
        try
        {
            token = JToken.Parse(text);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{value}: not valid JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        return token is JObject o && o.ContainsKey("model") && !o.ContainsKey("depths")
            ? ResNetConfig.FromJson(o["model"]!, value, "model")
            : ResNetConfig.FromJson(token, value, "model");
    }
}
