using System.Globalization;
using System.Security.Cryptography;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Devices;
using Repro.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Training;

/// <summary>Everything <see cref="TrainingRun"/> needs; the CLI builds it from the experiment and its options.</summary>
public sealed record TrainRequest
{
    public required string Experiment { get; init; }
    public required ResNetConfig Model { get; init; }
    public required TrainConfig Train { get; init; }
    public required LabeledImages TrainData { get; init; }
    public LabeledImages? TestData { get; init; }
    public required string OutDir { get; init; }
    public required Device Device { get; init; }
    /// <summary>An epoch state written by an earlier run of the same identity.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Stop after this epoch (the schedule still spans all epochs), leaving epoch states to resume from.</summary>
    public int? StopAfterEpoch { get; init; }
    public TextWriter Log { get; init; } = TextWriter.Null;
}

/// <summary>What a run produced.</summary>
public sealed record TrainResult(bool Completed, int CompletedEpochs, IReadOnlyList<EpochMetrics> Metrics, string? ModelPath, string? EmaPath, string? MetricsPath);

/// <summary>
/// One `repro train`: seeds and builds the model, optionally resumes, trains, and writes
/// <c>epochs/epoch-NNNN.safetensors</c> after every epoch and, once the last epoch is done,
/// <c>model.safetensors</c>, <c>ema.safetensors</c> and finally <c>metrics.json</c>. Each file is
/// written atomically; metrics.json comes last, so its presence means the run completed.
/// </summary>
public static class TrainingRun
{
    public const string ModelFile = "model.safetensors", EmaFile = "ema.safetensors", MetricsFile = "metrics.json", EpochsFolder = "epochs";

    public static TrainResult Run(TrainRequest r)
    {
        TrainConfig config = r.Train;
        var identity = RunIdentity.Of(r.Model, config, r.TrainData.Identity, r.TestData?.Identity);
        r.TrainData.Validated(r.Model.InChannels, r.Model.NumClasses, "train");
        r.TestData?.Validated(r.Model.InChannels, r.Model.NumClasses, "test");
        if (r.StopAfterEpoch is <= 0)
            throw new BadInputException($"--stop-after {r.StopAfterEpoch}: must be at least 1");

        // Read the resume state before touching the output folder: a bad --resume changes nothing.
        (TrainingState State, RunIdentity Identity)? resume = r.ResumeFrom is null ? null : EpochStateFile.Read(r.ResumeFrom);
        try
        {
            if (resume is { } rs && rs.Identity.FirstDifference(identity) is { } diff)
                throw new BadInputException($"--resume {r.ResumeFrom}: written by a run with a different config ({diff}); resume only with the config that wrote it");

            Directory.CreateDirectory(Path.Combine(r.OutDir, EpochsFolder));
            foreach (string stale in new[] { MetricsFile, ModelFile, EmaFile })
                File.Delete(Path.Combine(r.OutDir, stale));

            TorchRuntime.SetThreads(config.Threads);
            using var model = new ResNet(r.Model, config.Seed);
            model.to(r.Device);
            using var trainer = new Trainer(model, config, r.TrainData, r.TestData, r.Device);
            if (resume is { } s)
            {
                RestoreOrExplain(trainer, s.State, r.ResumeFrom!);
                r.Log.WriteLine($"resumed from {r.ResumeFrom} after epoch {s.State.CompletedEpochs} (step {s.State.Step})");
            }
            r.Log.WriteLine($"training {r.Model} on {r.TrainData.Source} ({r.TrainData.Count} samples, {trainer.Schedule.StepsPerEpoch} steps of {config.BatchSize} per epoch), {config.Epochs} epochs, seed {config.Seed}, {config.Threads} thread(s), {r.Device}");

            trainer.OnStep = (epoch, step, steps) =>
            {
                // A heartbeat at each quarter of an epoch, for logs of long runs.
                if (step < steps && step * 4 / steps != (step - 1) * 4 / steps)
                    r.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch {epoch}: {step}/{steps} steps"));
            };
            trainer.Run(m =>
            {
                using TrainingState state = trainer.Capture();
                EpochStateFile.Write(EpochStateFile.PathFor(r.OutDir, m.Epoch), state, identity, r.Model.ToJson());
                r.Log.WriteLine(Describe(m, config.Epochs));
            }, r.StopAfterEpoch);

            if (trainer.CompletedEpochs < config.Epochs)
            {
                r.Log.WriteLine($"stopped after epoch {trainer.CompletedEpochs} of {config.Epochs}; resume with --resume {EpochStateFile.PathFor(r.OutDir, trainer.CompletedEpochs)}");
                return new TrainResult(false, trainer.CompletedEpochs, trainer.Metrics, null, null, null);
            }

            var provenance = Provenance(identity, config, trainer);
            string modelPath = Path.Combine(r.OutDir, ModelFile), emaPath = Path.Combine(r.OutDir, EmaFile);
            ModelCheckpoint.Save(modelPath, model, provenance.With("repro.kind", "model"));
            using (var emaModel = ModelCheckpoint.BuildWithoutDisturbingRng(r.Model))
            {
                ModelCheckpoint.CopyInto(emaModel, trainer.Ema.StateDict());
                ModelCheckpoint.Save(emaPath, emaModel, provenance.With("repro.kind", "ema"));
            }
            string metricsPath = Path.Combine(r.OutDir, MetricsFile);
            JObject metrics = MetricsDocument(r, identity, trainer, modelPath, emaPath);
            AtomicFile.Write(metricsPath, stream =>
            {
                using var w = new StreamWriter(stream, leaveOpen: true) { NewLine = "\n" };
                w.Write(metrics.ToString(Newtonsoft.Json.Formatting.Indented).ReplaceLineEndings("\n"));
                w.Write('\n');
            });
            r.Log.WriteLine($"wrote {modelPath}, {emaPath}, {metricsPath}");
            return new TrainResult(true, trainer.CompletedEpochs, trainer.Metrics, modelPath, emaPath, metricsPath);
        }
        finally
        {
            resume?.State.Dispose();
        }
    }

    private static void RestoreOrExplain(Trainer trainer, TrainingState state, string path)
    {
        try
        {
            trainer.Restore(state);
        }
        catch (InvalidDataException e)
        {
            throw new BadInputException($"--resume {path}: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new BadInputException($"--resume {path}: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> Provenance(RunIdentity identity, TrainConfig config, Trainer trainer) => new(StringComparer.Ordinal)
    {
        ["repro.identity"] = identity.Text,
        ["repro.identity.sha256"] = identity.Sha256,
        ["repro.train.threads"] = config.Threads.ToString(CultureInfo.InvariantCulture),
        ["repro.train.epochs"] = trainer.CompletedEpochs.ToString(CultureInfo.InvariantCulture),
        ["repro.train.steps"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
        ["repro.version"] = TorchRuntime.ReproVersion,
        ["repro.torchsharp"] = TorchRuntime.TorchSharpVersion,
    };

    private static Dictionary<string, string> With(this Dictionary<string, string> d, string key, string value) =>
        new(d, StringComparer.Ordinal) { [key] = value };

    private static JObject MetricsDocument(TrainRequest r, RunIdentity identity, Trainer trainer, string modelPath, string emaPath)
    {
        EpochMetrics last = trainer.Metrics[^1];
        double? trainSeconds = trainer.Metrics.All(m => m.TrainSeconds.HasValue) ? trainer.Metrics.Sum(m => m.TrainSeconds!.Value) : null;
        return new JObject
        {
            ["experiment"] = r.Experiment,
            ["identitySha256"] = identity.Sha256,
            ["seed"] = r.Train.Seed,
            ["threads"] = r.Train.Threads,
            ["device"] = r.Device.ToString(),
            ["resumedFrom"] = r.ResumeFrom,
            ["final"] = new JObject
            {
                ["epoch"] = last.Epoch,
                ["testLoss"] = last.TestLoss,
                ["testAccuracy"] = last.TestAccuracy,
                ["trainLoss"] = last.TrainLoss,
                ["trainAccuracy"] = last.TrainAccuracy,
                ["trainSeconds"] = trainSeconds,
            },
            ["model"] = new JObject { ["file"] = ModelFile, ["sha256"] = FileSha256(modelPath) },
            ["ema"] = new JObject { ["file"] = EmaFile, ["sha256"] = FileSha256(emaPath), ["updates"] = trainer.Ema.Updates },
            ["epochs"] = new JArray(trainer.Metrics.Select(MetricsJson.EpochWithTiming)),
        };
    }

    private static string FileSha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    private static string Describe(EpochMetrics m, int epochs)
    {
        var c = CultureInfo.InvariantCulture;
        string test = m.TestAccuracy is { } acc ? string.Format(c, "  test loss {0:F4} acc {1:P2}", m.TestLoss, acc) : "";
        return string.Format(c, "epoch {0}/{1}  lr {2:G4}  train loss {3:F4} acc {4:P2}{5}  {6:F1} s ({7:F0} samples/s), eval {8:F1} s",
            m.Epoch, epochs, m.Lr, m.TrainLoss, m.TrainAccuracy, test, m.TrainSeconds, m.SamplesPerSecond, m.EvalSeconds);
    }
}
