using System.Globalization;
using Newtonsoft.Json.Linq;
using Repro.Pipeline.Experiments;

namespace Repro.Pipeline.Stages;

/// <summary>
/// An experiment as the ordered graph train → precise-bn → checkpoint → ema. Each stage takes its
/// parameters from its own sections only (train: model + train; precise-bn: preciseBn; ema: ema),
/// so editing one section never reruns a stage that does not read it.
/// </summary>
public sealed class ExperimentPipeline
{
    private readonly Dictionary<StageName, StageDefinition> _stages;

    private ExperimentPipeline(ExperimentDefinition experiment, PipelineOverrides overrides, ExecutionSettings execution, IEnumerable<StageDefinition> stages)
    {
        Experiment = experiment;
        Overrides = overrides;
        Execution = execution;
        _stages = stages.ToDictionary(s => s.Name);
    }

    public ExperimentDefinition Experiment { get; }
    public PipelineOverrides Overrides { get; }
    public ExecutionSettings Execution { get; }
    public IEnumerable<StageDefinition> Stages => StageName.All.Select(n => _stages[n]);
    public StageDefinition this[StageName name] => _stages[name];

    public static ExperimentPipeline Create(ExperimentDefinition experiment, PipelineOverrides overrides)
    {
        int threads = overrides.Threads ?? ExperimentThreads(experiment);
        var execution = new ExecutionSettings(threads, overrides.Device ?? "auto", overrides.Ranks ?? 1);
        var preciseBn = RecalibrationSettings.From(experiment, experiment.PreciseBn, "preciseBn", overrides);
        var ema = RecalibrationSettings.From(experiment, experiment.Ema, "ema", overrides);
        return new ExperimentPipeline(experiment, overrides, execution, new[]
        {
            TrainStage(experiment, overrides, execution),
            RecalibrationStage(StageName.PreciseBn, "model.safetensors", experiment, preciseBn, execution),
            CheckpointStage(),
            RecalibrationStage(StageName.Ema, "ema.safetensors", experiment, ema, execution),
        });
    }

    private static DataInput[] DataInputs(ExperimentDefinition e)
        => e.TestData is null
            ? new[] { new DataInput("train", e.TrainData) }
            : new[] { new DataInput("train", e.TrainData), new DataInput("test", e.TestData) };

    private static StageDefinition TrainStage(ExperimentDefinition e, PipelineOverrides o, ExecutionSettings x)
    {
        var train = (JObject)e.Train.DeepClone();
        // threads is how the run is executed, not what it computes (see ExecutionSettings).
        train.Remove("threads");
        if (o.Seed is int seed)
            train["seed"] = seed;
        var parameters = new JObject { ["model"] = e.Model.DeepClone(), ["train"] = train };
        int effectiveSeed = o.Seed ?? (e.Train["seed"]?.Type == JTokenType.Integer ? (int)e.Train["seed"]! : 0);
        return new StageDefinition(StageName.Train, parameters, Array.Empty<UpstreamInput>(), DataInputs(e),
            new[] { "model.safetensors", "ema.safetensors", "metrics.json" },
            p => new[]
            {
                "train", "--config", e.FilePath, "--out-dir", p.StagingDirectory,
                "--seed", Invariant(effectiveSeed), "--threads", Invariant(x.Threads), "--device", x.Device,
            });
    }

    private static StageDefinition RecalibrationStage(StageName name, string trainOutput, ExperimentDefinition e, RecalibrationSettings s, ExecutionSettings x)
    {
        return new StageDefinition(name, s.ToKeyParameters(),
            new[] { new UpstreamInput("checkpoint", StageName.Train, trainOutput) }, DataInputs(e),
            new[] { "model.safetensors", "report.json" },
            p =>
            {
                var args = new List<string>
                {
                    name.Id, "--checkpoint", p.UpstreamFiles["checkpoint"], "--data", e.TrainData,
                };
                if (e.TestData != null)
                    args.AddRange(new[] { "--test-data", e.TestData });
                args.AddRange(new[]
                {
                    "--samples", Invariant(s.Samples), "--batch-size", Invariant(s.BatchSize), "--order", s.Order,
                    "--seed", Invariant(s.Seed), "--estimator", s.Estimator,
                    "--out", Path.Combine(p.StagingDirectory, "model.safetensors"),
                    "--report", Path.Combine(p.StagingDirectory, "report.json"),
                });
                if (x.Ranks > 1)
                    args.AddRange(new[] { "--ranks", Invariant(x.Ranks) });
                args.AddRange(new[] { "--device", x.Device, "--threads", Invariant(x.Threads) });
                return args;
            });
    }

    private static StageDefinition CheckpointStage()
        => new(StageName.Checkpoint, new JObject { ["formats"] = new JArray("safetensors", "pt") },
            new[] { new UpstreamInput("recalibrated", StageName.PreciseBn, "model.safetensors") }, Array.Empty<DataInput>(),
            new[] { "model.safetensors", "model.pt" },
            p => new[] { "checkpoint", "--in", p.UpstreamFiles["recalibrated"], "--out-dir", p.StagingDirectory });

    private static int ExperimentThreads(ExperimentDefinition e)
    {
        var t = e.Train["threads"];
        if (t is null) return 1;
        if (t.Type != JTokenType.Integer || (long)t < 1 || (long)t > 4096)
            throw e.Bad(t, "'train.threads' must be a positive integer");
        return (int)t;
    }

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}
