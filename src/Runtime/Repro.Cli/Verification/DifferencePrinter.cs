using System.Globalization;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Verification;

namespace Repro.Cli.Verification;

/// <summary>Plain-text listings of differences, shared by `repro diff` and `repro verify` (stdout, no markup: CI logs read it).</summary>
internal static class DifferencePrinter
{
    public static void Tensors(TextWriter o, SafetensorsComparison c, int maxListed, string indent)
    {
        if (c.Tensors.Count > 0)
        {
            int width = Math.Max(6, c.Tensors.Take(maxListed).Max(t => t.Name.Length));
            o.WriteLine($"{indent}{"tensor".PadRight(width)}  {"dtype",-5} {"shape",-16} {"max |Δ|",-12} differing elements");
            foreach (var t in c.Tensors.Take(maxListed))
            {
                string detail = t.MaxAbsDifference is double d
                    ? $"{Number(d),-12} {t.DifferingElements.ToString(CultureInfo.InvariantCulture)} of {t.Elements.ToString(CultureInfo.InvariantCulture)}"
                    : t.Problem;
                o.WriteLine($"{indent}{t.Name.PadRight(width)}  {t.DType ?? "",-5} {t.Shape ?? "",-16} {detail}");
            }
            if (c.Tensors.Count > maxListed)
                o.WriteLine($"{indent}… and {c.Tensors.Count - maxListed} more tensors");
        }
        foreach (var m in c.Metadata.Take(maxListed))
            o.WriteLine($"{indent}metadata {m.Key}: {Clip(m.Expected ?? "(absent)")} → {Clip(m.Actual ?? "(absent)")}");
        if (c.Metadata.Count > maxListed)
            o.WriteLine($"{indent}… and {c.Metadata.Count - maxListed} more metadata keys");
    }

    public static void Values(TextWriter o, IReadOnlyList<JsonValueDifference> values, int maxListed, string indent)
    {
        foreach (var v in values.Take(maxListed))
            o.WriteLine($"{indent}{v.Path}: {Clip(v.Expected)} → {Clip(v.Actual)}" + (v.AbsDifference is double d ? $"  (|Δ| {Number(d)})" : ""));
        if (values.Count > maxListed)
            o.WriteLine($"{indent}… and {values.Count - maxListed} more values");
    }

    public static string Summary(SafetensorsComparison c) =>
        c.Identical ? $"{c.TensorNames} tensors, identical"
        : $"{c.Tensors.Count} of {c.TensorNames} tensors differ" + (c.Metadata.Count > 0 ? $", {c.Metadata.Count} metadata keys differ" : "");

    public static string Number(double d) => double.IsPositiveInfinity(d) ? "inf" : d.ToString("0.###e+00", CultureInfo.InvariantCulture);

    private static string Clip(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
