using Newtonsoft.Json;
using Repro.Pipeline.Data;
using Repro.Pipeline.Hashing;
using Repro.Runtime.Calibration;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Collectives;
using Repro.Runtime.Data;
using Repro.Runtime.Devices;
using Repro.Runtime.Models;
using static TorchSharp.torch;

namespace Repro.Cli.Recalibration;

/// <summary>
/// One recalibration from the command line, on every rank: load checkpoint and data, plan the batches,
/// measure accuracy, run Precise BN on this rank's whole batches, measure again, and hand back what
/// rank 0 writes after the commit point (<see cref="RankedRun"/>): the output checkpoint, which is the
/// input file's tensors with only the recalibrated running_mean / running_var replaced, and the report.
/// </summary>
public static class RecalibrationRun
{
    /// <summary>The output checkpoint's provenance entry: how its BN statistics were made.</summary>
    public const string MetadataKey = "repro.preciseBn";

    public static int Execute(RecalibrationSettings settings, RecalibrationKind kind)
    {
        settings.Check();
        return RankedRun.Execute(settings.Ranks, collective => Compute(settings, kind, collective));
    }

    private static Action Compute(RecalibrationSettings s, RecalibrationKind kind, ICollective collective)
    {
        var started = DateTimeOffset.UtcNow;
        if (s.Threads is int threads)
            TorchRuntime.SetThreads(threads);
        Device device = DeviceSelector.Select(s.Device);
        PreciseBnEstimator estimator = s.ParsedEstimator;
        SampleOrder order = s.ParsedOrder;
        int batchSize = s.BatchSize!.Value;
        DataSourceSpec trainSpec = DataSourceSpec.Parse(s.Data!);
        DataSourceSpec? testSpec = s.TestData is null ? null : DataSourceSpec.Parse(s.TestData);
        // The stage engine's fingerprint, so the checkpoint's provenance and the pipeline's stage keys agree.
        string dataFingerprint = DataFingerprint.Compute(s.Data!, Directory.GetCurrentDirectory(), new FileHashMemo(null), "--data").Fingerprint;
        string inputFingerprint = ContentHash.OfFile(s.Checkpoint!);

        SafetensorsContent input = SafetensorsReader.Read(s.Checkpoint!);
        try
        {
            using LoadedModel loaded = ModelCheckpoint.Load(s.Checkpoint!, device);
            ResNet model = loaded.Model;
            using ImageDataset train = DataSource.Load(trainSpec);
            CheckFits(train, model.Config, "--data");
            BatchPlan plan = BatchPlan.Create(train.Count, s.Samples, batchSize, order, (ulong)s.Seed);
            using ImageDataset? test = testSpec is null ? null : DataSource.Load(testSpec);

            var notes = new List<string>(SampleNotes.For(plan));
            bool measure = test is not null && test.Description.HasLabels;
            if (test is not null)
                CheckFits(test, model.Config, "--test-data");
            if (test is null)
                notes.Add("accuracy not measured: no --test-data");
            else if (!measure)
                notes.Add($"accuracy not measured: --test-data {s.TestData} has no labels");

            TopOneAccuracy? before = measure ? HeldOutAccuracy.Measure(model, LabelledBatches(test!, batchSize, collective), collective) : null;
            model.train();
            PreciseBnResult result = PreciseBn.Recalibrate(model, TrainingBatches(train, plan, collective),
                new PreciseBnOptions { Estimator = estimator, Collective = collective, OnBatch = Progress(collective, plan) });
            TopOneAccuracy? after = measure ? HeldOutAccuracy.Measure(model, LabelledBatches(test!, batchSize, collective), collective) : null;

            var metadata = new Dictionary<string, string>(input.Metadata, StringComparer.Ordinal)
            {
                [MetadataKey] = Provenance(kind, trainSpec, dataFingerprint, inputFingerprint, plan, result),
            };
            var replaced = NewStatistics(model, result, input);
            var info = new PreciseBnRunInfo
            {
                Command = kind.Command,
                Subject = kind.Subject,
                Checkpoint = Path.GetFullPath(s.Checkpoint!),
                CheckpointSha256 = inputFingerprint,
                Output = Path.GetFullPath(s.Out!),
                Data = train.Description.Spec,
                DataFingerprint = dataFingerprint,
                SamplesRequested = s.Samples,
                SamplesAvailable = train.Count,
                BatchSize = batchSize,
                Order = order.Name(),
                Seed = s.Seed,
                Device = device.ToString(),
                Threads = get_num_threads(),
                StartedUtc = started,
            };
            AccuracyReport? accuracy = measure
                ? AccuracyReport.Of(kind.Subject, test!.Description.Spec, before!, after!)
                : null;
            PreciseBnReport report = PreciseBnReport.Build(result, info, accuracy, notes);

            SafetensorsContent owned = input;
            input = null!;
            return () =>
            {
                try
                {
                    var tensors = owned.Tensors.ToDictionary(kv => kv.Key, kv => replaced.TryGetValue(kv.Key, out var t) ? t : kv.Value, StringComparer.Ordinal);
                    SafetensorsWriter.Write(s.Out!, tensors, metadata);
                    report.WriteAtomically(s.Report!);
                    RecalibrationSummary.Print(Console.Out, report, s.Out!, s.Report!);
                }
                finally
                {
                    foreach (var t in replaced.Values) t.Dispose();
                    owned.Dispose();
                }
            };
        }
        catch
        {
            input?.Dispose();
            throw;
        }
    }

    /// <summary>Rank 0's batch count on an interactive terminal; nothing when stderr is a pipe or file (CI, tests, the stage engine).</summary>
    private static Action<long>? Progress(ICollective collective, BatchPlan plan)
    {
        if (collective.Rank != 0 || Console.IsErrorRedirected)
            return null;
        long mine = plan.ForRank(0, collective.Size).Count;
        return k => Console.Error.Write(k == mine ? $"\r{new string(' ', 40)}\r" : $"\r  precise-bn: batch {k}/{mine}");
    }

    /// <summary>This rank's share of the plan: whole batches k with k mod N = rank, images only.</summary>
    private static IEnumerable<Tensor> TrainingBatches(ImageDataset train, BatchPlan plan, ICollective collective) =>
        TestFailureInjection.InBatches(plan.ForRank(collective.Rank, collective.Size).Select(b => train.Take(b).Images), collective.Rank);

    /// <summary>This rank's share of the whole held-out split, in order.</summary>
    private static IEnumerable<(Tensor Inputs, Tensor Labels)> LabelledBatches(ImageDataset test, int batchSize, ICollective collective) =>
        BatchPlan.Create(test.Count, test.Count, batchSize, SampleOrder.Sequential)
            .ForRank(collective.Rank, collective.Size)
            .Select(b => test.Take(b))
            .Select(b => (b.Images, b.Labels!));

    private static void CheckFits(ImageDataset data, ResNetConfig config, string option)
    {
        DatasetDescription d = data.Description;
        if (d.Channels != config.InChannels)
            throw new BadInputException($"{option} {d.Spec}: images have {d.Channels} channel(s) but the checkpoint's model takes {config.InChannels}");
        if (d.HasLabels && d.Classes > config.NumClasses)
            throw new BadInputException($"{option} {d.Spec}: labels go up to {d.Classes - 1} but the checkpoint's model has {config.NumClasses} classes");
    }

    /// <summary>CPU copies of the new running_mean / running_var, keyed by state-dict name, checked against the input file.</summary>
    private static Dictionary<string, Tensor> NewStatistics(ResNet model, PreciseBnResult result, SafetensorsContent input)
    {
        var state = model.state_dict();
        var replaced = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var layer in result.Layers)
            foreach (string buffer in new[] { "running_mean", "running_var" })
            {
                string name = $"{layer.Name}.{buffer}";
                Tensor updated = state[name];
                if (!input.Tensors.TryGetValue(name, out Tensor? original) || original.dtype != updated.dtype || !original.shape.SequenceEqual(updated.shape))
                    throw new InvalidOperationException($"recalibrated buffer '{name}' does not match the input checkpoint's tensor");
                replaced[name] = updated.detach().cpu().clone().DetachFromDisposeScope();
            }
        return replaced;
    }

    /// <summary>
    /// Canonical JSON (sorted keys, no whitespace) of what determines the new statistics. Paths, rank
    /// count, device and threads are left out: they do not change the result beyond float rounding,
    /// and leaving them out keeps the output byte-identical across machines (they are in the report).
    /// </summary>
    private static string Provenance(RecalibrationKind kind, DataSourceSpec data, string dataFingerprint, string inputFingerprint, BatchPlan plan, PreciseBnResult result)
    {
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["batchSize"] = plan.BatchSize,
            ["batches"] = result.BatchesUsed,
            ["command"] = kind.Command,
            ["data"] = data.Identity,
            ["dataFingerprint"] = dataFingerprint,
            ["estimator"] = result.Estimator.Name(),
            ["input"] = inputFingerprint,
            ["layers"] = result.Layers.Count,
            ["order"] = plan.Order.Name(),
            ["reproVersion"] = TorchRuntime.ReproVersion,
            ["samples"] = result.SamplesUsed,
            ["samplesDropped"] = result.SamplesDropped,
            ["samplesRequested"] = plan.RequestedSamples,
            ["seed"] = plan.Seed,
        };
        return JsonConvert.SerializeObject(fields, Formatting.None);
    }
}
