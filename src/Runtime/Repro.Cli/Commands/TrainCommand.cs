using System.ComponentModel;
using Repro.Runtime.Data;
using Repro.Runtime.Devices;
using Repro.Runtime.Training;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Repro.Cli.Commands;

/// <summary>
/// <c>repro train --config experiment.json --out-dir DIR</c>: trains the experiment's model on its
/// data with its <c>train</c> section (options override), writing DIR/epochs/epoch-NNNN.safetensors
/// after each epoch and DIR/model.safetensors, DIR/ema.safetensors, DIR/metrics.json at the end.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <EXPERIMENT>")]
        [Description("Experiment file (experiments/<name>/experiment.json); its data, model and train sections are used.")]
        public string? Config { get; init; }

        [CommandOption("--out-dir <DIR>")]
        [Description("Folder for epochs/, model.safetensors, ema.safetensors and metrics.json (created if missing).")]
        public string? OutDir { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Override train.epochs.")]
        public int? Epochs { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Override train.seed (model init, data order, augmentation).")]
        public long? Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Override train.threads. Bits are reproducible for a fixed thread count only.")]
        public int? Threads { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("auto, cpu, cuda or cuda:N.")]
        [DefaultValue("auto")]
        public string Device { get; init; } = "auto";

        [CommandOption("--ema-buffers <MODE>")]
        [Description("Override train.ema.buffers: copy (the model's BN statistics, default) or average (floating buffers averaged; integer ones still copied).")]
        public string? EmaBuffers { get; init; }

        [CommandOption("--resume <EPOCH_STATE>")]
        [Description("Continue from an epoch state (DIR/epochs/epoch-NNNN.safetensors) written with the same config.")]
        public string? Resume { get; init; }

        [CommandOption("--stop-after <EPOCH>")]
        [Description("Stop after this epoch, keeping the schedule of all epochs; resume later with --resume.")]
        public int? StopAfter { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string config = settings.Config ?? throw new BadInputException("--config is required (an experiment.json)");
        string outDir = settings.OutDir ?? throw new BadInputException("--out-dir is required");
        TrainExperiment experiment = TrainExperiment.Load(config);
        TrainConfig train = Override(experiment.Train, settings, experiment.Path);
        Device device = DeviceSelector.Select(settings.Device);
        TorchRuntime.SetThreads(train.Threads);

        using ImageDataset trainData = DataSource.Load(experiment.TrainData, experiment.Directory);
        using ImageDataset? testData = experiment.TestData is { } t ? DataSource.Load(t, experiment.Directory) : null;
        TrainingRun.Run(new TrainRequest
        {
            Experiment = experiment.Name,
            Model = experiment.Model,
            Train = train,
            TrainData = Labeled(trainData, "data.train", experiment.Path),
            TestData = testData is null ? null : Labeled(testData, "data.test", experiment.Path),
            OutDir = outDir,
            Device = device,
            ResumeFrom = settings.Resume,
            StopAfterEpoch = settings.StopAfter,
            Log = Console.Out,
        });
        return CliErrors.Ok;
    }

    private static TrainConfig Override(TrainConfig c, Settings s, string experimentPath)
    {
        if (s.Epochs is <= 0) throw new BadInputException($"--epochs {s.Epochs}: must be at least 1");
        if (s.Threads is <= 0) throw new BadInputException($"--threads {s.Threads}: must be at least 1");
        if (s.StopAfter is <= 0) throw new BadInputException($"--stop-after {s.StopAfter}: must be at least 1");
        EmaBufferMode buffers = s.EmaBuffers switch
        {
            null => c.Ema.Buffers,
            "copy" => EmaBufferMode.Copy,
            "average" => EmaBufferMode.Average,
            _ => throw new BadInputException($"--ema-buffers {s.EmaBuffers}: use copy or average"),
        };
        TrainConfig o = c with
        {
            Epochs = s.Epochs ?? c.Epochs,
            Seed = s.Seed ?? c.Seed,
            Threads = s.Threads ?? c.Threads,
            Ema = c.Ema with { Buffers = buffers },
        };
        return o.Validated(s.Epochs is null ? experimentPath : $"--epochs {s.Epochs}");
    }

    private static LabeledImages Labeled(ImageDataset data, string key, string experiment)
    {
        Tensor labels = data.Labels ?? throw new BadInputException($"{experiment}: {key} {data.Description.Spec} has no labels; training needs labelled data");
        return new LabeledImages(data.Description.Spec, data.Images, labels) { Identity = data.Description.Identity };
    }
}
