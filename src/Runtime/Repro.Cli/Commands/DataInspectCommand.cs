using System.ComponentModel;
using System.Globalization;
using Newtonsoft.Json;
using Repro.Pipeline.Data;
using Repro.Runtime.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary><c>repro data inspect &lt;spec&gt;</c>: loads a data source the way training and Precise BN will, and summarises it.</summary>
public sealed class DataInspectCommand : Command<DataInspectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SPEC>")]
        // Spectre reads descriptions as markup: [[ and ]] are literal brackets.
        [Description("Data source: fashion-mnist:train|test[[@dir]], mnist:train|test@dir, idx:<images>[[,<labels>]], cifar10:train|test@dir, cifar10:<a.bin>[[,…]], tensors:<file.safetensors>, synthetic:n=…,c=…,h=…,w=…,classes=…,seed=…")]
        public string Spec { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print the summary as one JSON object.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        DataSourceSpec spec = DataSourceSpec.Parse(settings.Spec);
        using ImageDataset data = WithStatus($"Loading {spec}", () => DataSource.Load(spec));
        long[] histogram = DatasetStatistics.LabelHistogram(data);
        (double[] mean, double[] std) = WithStatus("Computing channel statistics", () => DatasetStatistics.ChannelMoments(data));
        DatasetDescription d = data.Description;

        if (settings.Json)
        {
            Console.Out.WriteLine(JsonConvert.SerializeObject(new
            {
                spec = d.Spec,
                identity = d.Identity,
                kind = spec.KindName,
                files = spec.Files,
                count = d.Count,
                shape = d.SampleShape,
                classes = d.Classes,
                labels = d.HasLabels ? histogram : null,
                normalization = new { name = d.Normalization.Name, mean = d.Normalization.Mean, std = d.Normalization.Std },
                channelMean = mean,
                channelStd = std,
            }));
            return CliErrors.Ok;
        }

        var o = Console.Out;
        o.WriteLine(Row("source", d.Spec));
        for (int i = 0; i < spec.Files.Count; i++) o.WriteLine(Row(i == 0 ? "files" : "", spec.Files[i]));
        o.WriteLine(Row("count", d.Count.ToString(CultureInfo.InvariantCulture)));
        o.WriteLine(Row("shape", $"[{d.Channels}, {d.Height}, {d.Width}]"));
        o.WriteLine(Row("tensor", string.Create(CultureInfo.InvariantCulture,
            $"float32 [{string.Join(", ", data.Images.shape)}], {data.Images.NumberOfElements * 4 / 1048576.0:F1} MiB, one contiguous block")));
        o.WriteLine(Row("normalisation", d.Normalization.ToString()));
        o.WriteLine(Row("channel mean", Format(mean) + "  (of the stored, normalised values)"));
        o.WriteLine(Row("channel std", Format(std)));
        if (!d.HasLabels)
        {
            o.WriteLine(Row("labels", "none"));
            return CliErrors.Ok;
        }
        o.WriteLine(Row("classes", d.Classes.ToString(CultureInfo.InvariantCulture)));
        int width = histogram.Max().ToString(CultureInfo.InvariantCulture).Length;
        for (int k = 0; k < histogram.Length; k++)
            o.WriteLine(Row(k == 0 ? "labels" : "", string.Create(CultureInfo.InvariantCulture,
                $"{k,3}: {histogram[k].ToString(CultureInfo.InvariantCulture).PadLeft(width)}  ({100.0 * histogram[k] / d.Count:F2}%)")));
        return CliErrors.Ok;
    }

    private static string Row(string key, string value) => $"{key,-14} {value}";

    private static string Format(double[] values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))) + "]";

    /// <summary>Shows a spinner on an interactive stderr (stdout stays clean for pipes).</summary>
    private static T WithStatus<T>(string message, Func<T> work)
    {
        if (Console.IsErrorRedirected) return work();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Status().Start(Markup.Escape(message), _ => work());
    }
}
