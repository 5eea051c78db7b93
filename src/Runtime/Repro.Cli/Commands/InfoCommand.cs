using System.ComponentModel;
using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// `repro info &lt;checkpoint&gt;`: what a Repro checkpoint holds, read from its header alone (no tensor
/// data is loaded): the model config, every BatchNorm with its channel count, the parameter count and
/// the metadata. The config and tensors are checked against each other first.
/// </summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<checkpoint>")]
        [Description("A Repro .safetensors checkpoint.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print one JSON object instead of text.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var d = ModelCheckpoint.Describe(settings.Checkpoint);
        Console.Out.Write(settings.Json ? AsJson(d) : AsText(d));
        return CliErrors.Ok;
    }

    private static string AsText(CheckpointDescription d)
    {
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv) { NewLine = "\n" };
        w.WriteLine($"checkpoint  {d.Path}");
        w.WriteLine($"model       {d.Config}");
        w.WriteLine($"config      {d.Config.ToJson()}");
        w.WriteLine(string.Format(inv, "parameters  {0:N0}", d.ParameterCount));
        w.WriteLine(string.Format(inv, "tensors     {0} ({1:N0} bytes)", d.Header.Entries.Count, d.Header.Entries.Sum(e => e.ByteLength)));
        w.WriteLine($"batchnorm   {d.BatchNorms.Count} layers");
        int width = d.BatchNorms.Max(b => b.Name.Length);
        foreach (var (name, channels) in d.BatchNorms)
            w.WriteLine($"  {name.PadRight(width)}  {channels}");
        var meta = d.Header.Metadata.Where(kv => kv.Key != ModelCheckpoint.ModelConfigKey).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        w.WriteLine($"metadata    {meta.Count} keys besides {ModelCheckpoint.ModelConfigKey}");
        foreach (var (key, value) in meta)
            w.WriteLine($"  {key} = {value.ReplaceLineEndings("\\n")}");
        return w.ToString();
    }

    private static string AsJson(CheckpointDescription d)
    {
        var o = new JObject
        {
            ["checkpoint"] = d.Path,
            ["model"] = JObject.Parse(d.Config.ToJson()),
            ["parameters"] = d.ParameterCount,
            ["tensors"] = d.Header.Entries.Count,
            ["batchNorms"] = new JArray(d.BatchNorms.Select(b => new JObject { ["name"] = b.Name, ["channels"] = b.Channels })),
            ["metadata"] = new JObject(d.Header.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new JProperty(kv.Key, kv.Value))),
        };
        return o.ToString(Formatting.Indented) + "\n";
    }
}
