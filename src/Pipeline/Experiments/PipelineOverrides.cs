using System.Globalization;

namespace Repro.Pipeline.Experiments;

/// <summary>
/// Values given on the command line (MSBuild properties, Cake arguments) that win over the
/// experiment file. Null means "as the experiment says". Each is validated here, with a message
/// naming the property, so MSBuild, Cake and the CLI reject the same inputs the same way.
/// </summary>
public sealed record PipelineOverrides
{
    /// <summary>preciseBn.samples and ema.samples.</summary>
    public int? NumSamples { get; init; }
    /// <summary>preciseBn.batchSize and ema.batchSize (the training batch size is the experiment's).</summary>
    public int? BatchSize { get; init; }
    /// <summary>preciseBn.estimator and ema.estimator: population | mean-of-batch-var.</summary>
    public string? Estimator { get; init; }
    /// <summary>train.seed, preciseBn.seed and ema.seed: one knob for "another run of this experiment".</summary>
    public int? Seed { get; init; }
    /// <summary>MPI ranks for recalibration (1 = in process).</summary>
    public int? Ranks { get; init; }
    /// <summary>auto | cpu | cuda | cuda:N.</summary>
    public string? Device { get; init; }
    /// <summary>libtorch threads; defaults to train.threads.</summary>
    public int? Threads { get; init; }

    public static readonly PipelineOverrides None = new();

    /// <summary>From MSBuild-style strings, where empty means unset.</summary>
    public static PipelineOverrides FromStrings(string? numSamples = null, string? batchSize = null, string? estimator = null,
        string? seed = null, string? ranks = null, string? device = null, string? threads = null) => new()
    {
        NumSamples = PositiveInt(numSamples, "NumSamples"),
        BatchSize = PositiveInt(batchSize, "BatchSize"),
        Estimator = Estimators.Validate(Blank(estimator), "Estimator"),
        Seed = Int(seed, "Seed", min: 0),
        Ranks = PositiveInt(ranks, "Ranks"),
        Device = Devices.Validate(Blank(device), "Device"),
        Threads = PositiveInt(threads, "Threads"),
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static int? PositiveInt(string? s, string name) => Int(s, name, min: 1);

    private static int? Int(string? s, string name, int min)
    {
        if (Blank(s) is not { } v)
            return null;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
            throw new BadInputException($"{name} '{v}': must be an integer of at least {min}.");
        return n;
    }
}

/// <summary>The Precise BN estimators the runtime implements.</summary>
public static class Estimators
{
    public static readonly string[] All = { "population", "mean-of-batch-var" };

    public static string? Validate(string? value, string name)
        => value is null || Array.IndexOf(All, value) >= 0
            ? value
            : throw new BadInputException($"{name} '{value}': unknown estimator; use {string.Join(" or ", All)}.");
}

/// <summary>Device requests as the CLI takes them.</summary>
public static class Devices
{
    public static string? Validate(string? value, string name)
    {
        if (value is null) return null;
        string v = value.ToLowerInvariant();
        if (v is "auto" or "cpu" or "cuda")
            return v;
        if (v.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(v[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return v;
        throw new BadInputException($"{name} '{value}': unknown device; use auto, cpu, cuda or cuda:N.");
    }

    /// <summary>
    /// The kind of device a request runs on: cpu or cuda. Kernels differ between them, so the kind
    /// is part of a stage key; the index (cuda:0 vs cuda:1) and thread counts are not, they are
    /// recorded in the lock record instead.
    /// </summary>
    public static string Kind(string request, bool runtimeHasCuda) => request switch
    {
        "cpu" => "cpu",
        "auto" => runtimeHasCuda ? "cuda" : "cpu",
        _ => "cuda",
    };
}
