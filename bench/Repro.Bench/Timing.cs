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
    public static PairedTiming Paired(int warmup, int repetitions, Func<double> a, Func<double> b)
    {
        for (int i = 0; i < warmup; i++) { a(); b(); }
        var ta = new List<double>(); var tb = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            ta.Add(a());
            tb.Add(b());
        }
        return PairedTiming.Of(ta, tb);
    }

    public static double Seconds(Action action) => WallAndCpu(action).Wall;

    /// <summary>
    /// Wall time and this process's CPU time. On a shared machine other processes inflate the wall
    /// time of whichever side they happen to overlap; CPU time of an in-process run is what load
    /// does not inflate, so in-process ratios are reported both ways.
    /// </summary>
    public static (double Wall, double Cpu) WallAndCpu(Action action)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        action();
        double wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary><see cref="Paired(int,int,Func{double},Func{double})"/> for wall and CPU time at once, from the same runs.</summary>
    public static (PairedTiming Wall, PairedTiming Cpu) PairedWallAndCpu(int warmup, int repetitions, Action a, Action b)
    {
        for (int i = 0; i < warmup; i++) { a(); b(); }
        var wa = new List<double>(); var wb = new List<double>(); var ca = new List<double>(); var cb = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            var x = WallAndCpu(a);
            var y = WallAndCpu(b);
            wa.Add(x.Wall); wb.Add(y.Wall); ca.Add(x.Cpu); cb.Add(y.Cpu);
        }
        return (PairedTiming.Of(wa, wb), PairedTiming.Of(ca, cb));
    }
}

/// <summary>Two interleaved series and the median of their per-pair ratios.</summary>
public sealed record PairedTiming(Timing A, Timing B, Timing Ratio)
{
    public static PairedTiming Of(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        new(Timing.Of(a), Timing.Of(b), Timing.Of(a.Zip(b, (x, y) => x / y).ToList()));
}
