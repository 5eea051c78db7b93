using System.Globalization;
using Repro.Bench;
using Repro.Bench.Figures;
using Repro.Runtime.Devices;

// repro-bench [--quick] [--only 1,2,…] [--threads N] [--reps N]
// Prints the table, writes bench/results/latest.json and latest.md. Exit 0 even when a figure
// misses its target (the table says so); exit 1 only when the bench itself fails.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
string repoRoot = FindRepoRoot();
TorchRuntime.SetThreads(options.Threads);

var figures = new (string Id, string Title, Func<BenchContext, IEnumerable<BenchRow>> Run)[]
{
    ("1", "precise BN against the forward-pass limit", ForwardLimitFigure.Run),
    ("2", "against PyTorch", PyTorchFigure.Run),
    ("3", "ranks", RanksFigure.Run),
    ("5", "memory", MemoryFigure.Run),
    ("6", "scale", ScaleFigure.Run),
    // 7 before 4: the end-to-end run leaves the cache that the no-op build then hits.
    ("7", "end to end", EndToEndFigure.Run),
    ("4", "no-op build", NoOpBuildFigure.Run),
};

string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
string loadBefore = LoadAverage();
using var ctx = BenchContext.Create(repoRoot, options.Threads, options.Repetitions);
var rows = new List<BenchRow>();
foreach (var (id, title, run) in figures)
{
    if (options.Only.Count > 0 && !options.Only.Contains(id)) continue;
    Console.Error.WriteLine($"[bench] figure {id}: {title} …");
    try
    {
        rows.AddRange(run(ctx));
    }
    catch (Exception e)
    {
        // A figure that cannot be measured is reported as such, never hidden.
        rows.Add(BenchRow.NotMeasured(id, title, e.Message.ReplaceLineEndings(" ")));
    }
}

// The load average says how shared the machine was: wall-time figures are only as good as it is quiet.
var env = new BenchEnvironment(DateTime.UtcNow,
    $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, load average {loadBefore} at the start and {LoadAverage()} at the end", options.Threads,
    TorchRuntime.TorchSharpVersion, ctx.TorchPython is null ? "not installed" : "python3-torch");
string table = BenchReport.Markdown(rows, env);
if (options.Only.Count == 0)
    BenchReport.Write(ctx.ResultsDir, rows, env);
else
    Console.Error.WriteLine("[bench] --only given: results not written to bench/results (a partial table would replace the full one)");
Console.WriteLine(table);
return 0;

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found above " + AppContext.BaseDirectory);
}

sealed record BenchOptions(int Threads, int Repetitions, HashSet<string> Only, bool Quick)
{
    public static BenchOptions Parse(string[] args)
    {
        int threads = Math.Min(2, Environment.ProcessorCount), reps = 5;
        var only = new HashSet<string>();
        bool quick = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": foreach (var f in args[++i].Split(',')) only.Add(f.Trim()); break;
                case "--quick": quick = true; reps = 3; break;
                default: throw new ArgumentException($"unknown option {args[i]}; use --threads N, --reps N, --only 1,2,…, --quick");
            }
        }
        return new BenchOptions(threads, reps, only, quick);
    }
}
