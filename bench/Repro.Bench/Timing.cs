using System.Diagnostics;

namespace Repro.Bench;

/// <summary>Median, min and max of repeated timings; the median is the figure, min/max show the noise.</summary>
public sealed record Timing(double Median, double Min, double Max, int Repetitions)
{
    public static Timing Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var s = samples.OrderBy(x => x).ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return new Timing(median, s[0], s[^1], s.Length);
    }

    /// <summary>Times <paramref name="action"/> after <paramref name="warmup"/> untimed runs.</summary>
    public static Timing Measure(int warmup, int repetitions, Action action)
    {
        for (int i = 0; i < warmup; i++) action();
        var samples = new List<double>(repetitions);
        for (int i = 0; i < repetitions; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            samples.Add(sw.Elapsed.TotalSeconds);
        }
        return Of(samples);
    }

    /// <summary>
    /// Times two actions interleaved (a, b, a, b, …) so that machine noise hits both alike; the
    /// ratio is then a median of per-pair ratios, not a ratio of medians.
    /// </summary>
    public static (Timing A, Timing B, Timing Ratio) Paired(int warmup, int repetitions, Func<double> a, Func<double> b)
    {
        for (int i = 0; i < warmup; i++) { a(); b(); }
        var ta = new List<double>(); var tb = new List<double>(); var r = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            double x = a(), y = b();
            ta.Add(x); tb.Add(y); r.Add(x / y);
        }
        return (Of(ta), Of(tb), Of(r));
    }

    public static double Seconds(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }
}
