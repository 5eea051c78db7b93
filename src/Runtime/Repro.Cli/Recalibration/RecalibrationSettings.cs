using System.ComponentModel;
using Repro.Runtime.Calibration;
using Repro.Runtime.Data;
using Spectre.Console.Cli;

namespace Repro.Cli.Recalibration;

/// <summary>
/// The options of <c>repro precise-bn</c> and <c>repro ema</c>, which differ only in whose weights the
/// checkpoint holds. Everything is checked here, before a tensor is read, so a typo costs nothing.
/// </summary>
public class RecalibrationSettings : CommandSettings
{
    [CommandOption("--checkpoint <FILE>")]
    [Description("Input checkpoint (.safetensors with repro.model metadata).")]
    public string? Checkpoint { get; init; }

    [CommandOption("--data <SPEC>")]
    [Description("Training data to recalibrate on: fashion-mnist:train, idx:…, cifar10:…, tensors:<file>, synthetic:…")]
    public string? Data { get; init; }

    [CommandOption("--test-data <SPEC>")]
    [Description("Labelled held-out data: top-1 accuracy is measured before and after.")]
    public string? TestData { get; init; }

    [CommandOption("--samples <S>")]
    [Description("Training samples to run (all of them if the data has fewer).")]
    [DefaultValue(SampleNotes.DefaultSamples)]
    public long Samples { get; init; } = SampleNotes.DefaultSamples;

    [CommandOption("--batch-size <B>")]
    [Description("Batch size. Train-mode BN normalises with batch statistics, so B changes the result: use the training batch size.")]
    public int? BatchSize { get; init; }

    [CommandOption("--order <ORDER>")]
    [Description("sequential (the first S samples) or shuffle (the first S of a seeded shuffle).")]
    [DefaultValue("sequential")]
    public string Order { get; init; } = "sequential";

    [CommandOption("--seed <N>")]
    [Description("Seed of the shuffle.")]
    [DefaultValue(0L)]
    public long Seed { get; init; }

    [CommandOption("--estimator <NAME>")]
    [Description("population (exact statistics over all S samples) or mean-of-batch-var (parity with mmcls/pycls/swa_utils).")]
    [DefaultValue(PreciseBnEstimators.PopulationName)]
    public string Estimator { get; init; } = PreciseBnEstimators.PopulationName;

    [CommandOption("--out <FILE>")]
    [Description("Output checkpoint: the input with new BN running_mean/running_var and provenance metadata.")]
    public string? Out { get; init; }

    [CommandOption("--report <FILE>")]
    [Description("JSON report: per-layer old/new statistics and drift, run facts, accuracy before/after.")]
    public string? Report { get; init; }

    [CommandOption("--ranks <N>")]
    [Description("Number of ranks; starts mpirun when not already under an MPI launcher.")]
    public int? Ranks { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("auto, cpu, cuda or cuda:N.")]
    [DefaultValue("auto")]
    public string Device { get; init; } = "auto";

    [CommandOption("--threads <N>")]
    [Description("libtorch CPU threads (results are bit-reproducible for a fixed count).")]
    public int? Threads { get; init; }

    public PreciseBnEstimator ParsedEstimator => PreciseBnEstimators.Parse(Estimator);
    public SampleOrder ParsedOrder => SampleOrders.Parse(Order);

    /// <summary>Throws a one-line <see cref="BadInputException"/> naming the first bad option.</summary>
    public void Check()
    {
        Require(Checkpoint, "--checkpoint");
        Require(Data, "--data");
        Require(Out, "--out");
        Require(Report, "--report");
        if (BatchSize is null)
            throw new BadInputException("--batch-size is required: train-mode BN statistics depend on it; use the training batch size.");
        if (Samples <= 0)
            throw new BadInputException($"--samples {Samples}: must be at least 1");
        if (BatchSize <= 0)
            throw new BadInputException($"--batch-size {BatchSize}: must be at least 1");
        if (Seed < 0)
            throw new BadInputException($"--seed {Seed}: must not be negative");
        if (Threads is <= 0)
            throw new BadInputException($"--threads {Threads}: must be at least 1");
        if (Ranks is < 1)
            throw new BadInputException($"--ranks {Ranks}: must be at least 1");
        _ = ParsedEstimator;
        _ = ParsedOrder;
        if (!File.Exists(Checkpoint))
            throw new BadInputException($"--checkpoint {Checkpoint}: file not found");
        if (SamePath(Out!, Checkpoint!))
            throw new BadInputException($"--out {Out}: is the input checkpoint; write the recalibrated model to a new file");
        if (SamePath(Report!, Out!) || SamePath(Report!, Checkpoint!))
            throw new BadInputException($"--report {Report}: must differ from --checkpoint and --out");
        foreach (var (option, path) in new[] { ("--out", Out!), ("--report", Report!) })
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null || !Directory.Exists(folder))
                throw new BadInputException($"{option} {path}: folder {folder} does not exist");
        }
    }

    private static void Require(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new BadInputException($"{option} is required");
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
