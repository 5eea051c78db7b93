// Times Precise BN against what it should cost: one plain train-mode forward over the same batches.
//
//   dotnet run -c Release --project bench/PreciseBn -- (--checkpoint <file> | --experiment <experiment.json>)
//       [--data fashion-mnist:train] [--samples 8192] [--batch-size 256] [--repeats 5] [--threads 2]
//
// Both sides take the same batches from the same in-memory dataset, each in its own dispose scope,
// under no_grad, in alternating order (forward, precise-bn, forward, …) so that machine load drifts
// hit both alike. Prints one JSON object: per-repeat seconds, medians, minima and their ratios.
using System.Diagnostics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Calibration;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Data;
using Repro.Runtime.Devices;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

var options = Options.Parse(args);
TorchRuntime.SetThreads(options.Threads);
using ResNet model = options.Checkpoint is { } path
    ? ModelCheckpoint.Load(path).Model
    : new ResNet(ResNetConfig.FromJson(JObject.Parse(File.ReadAllText(options.Experiment!))["model"]!, options.Experiment!), seed: 0);
using ImageDataset data = DataSource.Load(options.Data);
BatchPlan plan = BatchPlan.Create(data.Count, options.Samples, options.BatchSize, SampleOrder.Sequential);
IEnumerable<Tensor> Batches() => plan.Batches.Select(b => data.Take(b).Images);

// Wall time, and this process's CPU time: on a shared machine the second is what load does not inflate.
(double Wall, double Cpu) Time(Action run)
{
    var process = Process.GetCurrentProcess();
    TimeSpan cpu = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    run();
    process.Refresh();
    return (clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
}

void PlainForward()
{
    model.train();
    using var noGrad = no_grad();
    foreach (var b in plan.Batches)
    {
        using var scope = NewDisposeScope();
        model.call(data.Take(b).Images);
    }
}

void Recalibrate()
{
    model.train();
    PreciseBn.Recalibrate(model, Batches());
}

PlainForward();                 // warm-up: first-touch allocations, libtorch's kernel selection
Recalibrate();
var forward = new List<(double Wall, double Cpu)>();
var precise = new List<(double Wall, double Cpu)>();
for (int i = 0; i < options.Repeats; i++)
{
    forward.Add(Time(PlainForward));
    precise.Add(Time(Recalibrate));
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

Console.WriteLine(JsonConvert.SerializeObject(new
{
    model = model.Config.ToString(),
    data = options.Data,
    samples = plan.Samples,
    batchSize = plan.BatchSize,
    batches = plan.Batches.Count,
    threads = get_num_threads(),
    forwardWallSeconds = forward.Select(t => t.Wall),
    preciseBnWallSeconds = precise.Select(t => t.Wall),
    forwardCpuSeconds = forward.Select(t => t.Cpu),
    preciseBnCpuSeconds = precise.Select(t => t.Cpu),
    wallMedianRatio = Median(precise.Select(t => t.Wall).ToList()) / Median(forward.Select(t => t.Wall).ToList()),
    wallMinRatio = precise.Min(t => t.Wall) / forward.Min(t => t.Wall),
    cpuMedianRatio = Median(precise.Select(t => t.Cpu).ToList()) / Median(forward.Select(t => t.Cpu).ToList()),
    cpuMinRatio = precise.Min(t => t.Cpu) / forward.Min(t => t.Cpu),
    loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
}, Formatting.Indented));

sealed record Options(string? Checkpoint, string? Experiment, string Data, long Samples, int BatchSize, int Repeats, int Threads)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(null, null, "fashion-mnist:train", SampleNotes.DefaultSamples, 256, 5, 2);
        for (int i = 0; i < args.Length; i += 2)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--checkpoint" => o with { Checkpoint = value },
                "--experiment" => o with { Experiment = value },
                "--data" => o with { Data = value },
                "--samples" => o with { Samples = long.Parse(value) },
                "--batch-size" => o with { BatchSize = int.Parse(value) },
                "--repeats" => o with { Repeats = int.Parse(value) },
                "--threads" => o with { Threads = int.Parse(value) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if ((o.Checkpoint is null) == (o.Experiment is null))
            throw new ArgumentException("give exactly one of --checkpoint and --experiment");
        return o;
    }
}
