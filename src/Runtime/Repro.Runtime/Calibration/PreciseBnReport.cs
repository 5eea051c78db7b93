using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Devices;

namespace Repro.Runtime.Calibration;

/// <summary>What the caller knows about a run that the engine does not: where things came from and went.</summary>
public sealed record PreciseBnRunInfo
{
    /// <summary>The command that ran: "precise-bn" or "ema".</summary>
    public required string Command { get; init; }

    /// <summary>Whose statistics were recalibrated, for people reading the report: "model" or "EMA weights".</summary>
    public required string Subject { get; init; }

    public string? Checkpoint { get; init; }
    public string? CheckpointSha256 { get; init; }
    public string? Output { get; init; }
    public string? Data { get; init; }
    public string? DataFingerprint { get; init; }
    public long SamplesRequested { get; init; }
    public long SamplesAvailable { get; init; }
    public int BatchSize { get; init; }
    public string? Order { get; init; }
    public long Seed { get; init; }
    public string? Device { get; init; }
    public int Threads { get; init; }
    public DateTimeOffset StartedUtc { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Top-1 accuracy on a held-out split, before and after recalibration.</summary>
public sealed record AccuracyReport(string Label, string? TestData, long Samples, double Before, double After)
{
    public double Change => After - Before;

    public static AccuracyReport Of(string subject, string? testData, TopOneAccuracy before, TopOneAccuracy after) =>
        new($"top-1 accuracy of the {subject} on {testData ?? "the held-out split"}, eval mode", testData, after.Total, before.Value, after.Value);
}

public sealed record LayerStatisticsReport(VectorSummary Mean, VectorSummary Var);

public sealed record LayerReport(
    string Name, string Kind, long Channels, long ElementsPerChannel, long Batches,
    LayerStatisticsReport Old, LayerStatisticsReport New, LayerDrift Drift);

public sealed record LargestDrift(string Layer, double Value);

public sealed record RunReport(
    string? Checkpoint, string? CheckpointSha256, string? Output, string? Data, string? DataFingerprint,
    string Estimator, long SamplesRequested, long SamplesAvailable, long SamplesUsed, long SamplesDropped,
    int BatchSize, long Batches, long BatchesDropped, string? Order, long Seed, int Ranks, string? Device, int Threads,
    string StartedUtc, double DurationSeconds, double ReductionSeconds);

/// <summary>
/// The JSON report of one run (Newtonsoft.Json, camelCase). A reader finds the run's inputs and sizes
/// under "run", accuracy before/after under "accuracy" (null without labelled held-out data), per-layer
/// old/new summaries and drift under "layers", and every norm layer left alone, with the reason, under
/// "notRecalibrated".
/// </summary>
public sealed record PreciseBnReport(
    string Format,
    string Command,
    string Subject,
    string ReproVersion,
    string TorchSharpVersion,
    RunReport Run,
    AccuracyReport? Accuracy,
    LargestDrift? LargestMeanShiftInOldStd,
    LargestDrift? LargestVarRelativeDrift,
    IReadOnlyList<LayerReport> Layers,
    IReadOnlyList<SkippedNormLayer> NotRecalibrated,
    IReadOnlyList<string> Notes)
{
    public const string FormatName = "repro.precise-bn.report/1";

    public static PreciseBnReport Build(PreciseBnResult result, PreciseBnRunInfo info, AccuracyReport? accuracy, IEnumerable<string>? extraNotes = null)
    {
        var layers = result.Layers.Select(l => new LayerReport(
            l.Name, l.Kind, l.Channels, l.ElementsPerChannel, l.Batches,
            new LayerStatisticsReport(VectorSummary.Of(l.OldMean), VectorSummary.Of(l.OldVar)),
            new LayerStatisticsReport(VectorSummary.Of(l.NewMean), VectorSummary.Of(l.NewVar)),
            LayerDrift.Of(l))).ToArray();
        var run = new RunReport(
            info.Checkpoint, info.CheckpointSha256, info.Output, info.Data, info.DataFingerprint,
            result.Estimator.Name(), info.SamplesRequested, info.SamplesAvailable, result.SamplesUsed, result.SamplesDropped,
            info.BatchSize, result.BatchesUsed, result.BatchesDropped, info.Order, info.Seed, result.Ranks, info.Device, info.Threads,
            info.StartedUtc.ToString("O", CultureInfo.InvariantCulture), Math.Round(result.Duration.TotalSeconds, 3),
            Math.Round(result.Reduction.TotalSeconds, 6));
        LargestDrift? largestShift = layers.Length == 0 ? null
            : layers.MaxBy(l => l.Drift.MaxMeanShiftInOldStd) is { } s ? new LargestDrift(s.Name, s.Drift.MaxMeanShiftInOldStd) : null;
        LargestDrift? largestVar = layers.Where(l => l.Drift.VarRelative is not null).MaxBy(l => l.Drift.VarRelative!.Value) is { } v
            ? new LargestDrift(v.Name, v.Drift.VarRelative!.Value) : null;
        return new PreciseBnReport(
            FormatName, info.Command, info.Subject, TorchRuntime.ReproVersion, TorchRuntime.TorchSharpVersion,
            run, accuracy, largestShift, largestVar, layers, result.Skipped,
            (extraNotes ?? []).Concat(result.Notes).ToArray());
    }

    private static readonly JsonSerializerSettings Settings = new()
    {
        ContractResolver = new DefaultContractResolver { NamingStrategy = new CamelCaseNamingStrategy() },
        Formatting = Formatting.Indented,
        FloatFormatHandling = FloatFormatHandling.Symbol,
        Culture = CultureInfo.InvariantCulture,
    };

    public string ToJson() => JsonConvert.SerializeObject(this, Settings);

    public static PreciseBnReport FromJson(string json) =>
        JsonConvert.DeserializeObject<PreciseBnReport>(json, Settings) ?? throw new JsonSerializationException("empty report");

    /// <summary>Writes the report to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public void WriteAtomically(string path) =>
        AtomicFile.Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(ToJson() + "\n")));
}
