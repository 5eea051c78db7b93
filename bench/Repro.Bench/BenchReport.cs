using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Bench;

/// <summary>Writes bench/results/latest.json and latest.md (atomically) and prints the table.</summary>
public static class BenchReport
{
    public static string Markdown(IReadOnlyList<BenchRow> rows, BenchEnvironment env)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Repro benchmarks — {env.When:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine($"Machine: {env.Machine}. Threads: {env.Threads}. TorchSharp {env.TorchSharp}; PyTorch peer {env.PyTorch}. Each figure: median after warm-up, [min – max].");
        sb.AppendLine();
        sb.AppendLine("| # | figure | value | [min – max] | target | verdict | detail |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            string value = double.IsNaN(r.Value) ? "—" : $"{Fmt(r.Value)} {r.Unit}".Trim();
            string range = r.Min is double lo && r.Max is double hi ? $"[{Fmt(lo)} – {Fmt(hi)}]" : "";
            sb.AppendLine($"| {r.Figure} | {r.Name} | {value} | {range} | {r.TargetText} | {r.Verdict} | {r.Detail} |");
        }
        return sb.ToString();
    }

    public static void Write(string resultsDir, IReadOnlyList<BenchRow> rows, BenchEnvironment env)
    {
        Directory.CreateDirectory(resultsDir);
        var json = new JObject
        {
            ["when"] = env.When.ToString("o", CultureInfo.InvariantCulture),
            ["machine"] = env.Machine,
            ["threads"] = env.Threads,
            ["torchSharp"] = env.TorchSharp,
            ["pytorch"] = env.PyTorch,
            ["rows"] = new JArray(rows.Select(r => new JObject
            {
                ["figure"] = r.Figure,
                ["name"] = r.Name,
                ["value"] = double.IsNaN(r.Value) ? null : r.Value,
                ["unit"] = r.Unit,
                ["min"] = r.Min,
                ["max"] = r.Max,
                ["target"] = r.TargetText,
                ["meetsTarget"] = r.MeetsTarget,
                ["detail"] = r.Detail,
            })),
        };
        WriteAtomically(Path.Combine(resultsDir, "latest.json"), json.ToString(Formatting.Indented) + "\n");
        WriteAtomically(Path.Combine(resultsDir, "latest.md"), Markdown(rows, env));
    }

    private static string Fmt(double v) =>
        Math.Abs(v) >= 1000 ? v.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(v) >= 10 ? v.ToString("F1", CultureInfo.InvariantCulture)
        : v.ToString("F3", CultureInfo.InvariantCulture);

    private static void WriteAtomically(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}

public sealed record BenchEnvironment(DateTime When, string Machine, int Threads, string TorchSharp, string PyTorch);
