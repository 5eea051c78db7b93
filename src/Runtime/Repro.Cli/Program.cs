using Repro.Cli;
using Repro.Cli.Commands;
using Spectre.Console.Cli;

// Exit codes: 0 ok, 1 failure, 2 bad input (see CliErrors).
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("repro");
    // The package version (stage keys and lock records use the same, without the +commit suffix).
    config.SetApplicationVersion(System.Reflection.CustomAttributeExtensions
        .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(Program).Assembly)?.InformationalVersion.Split('+')[0] ?? "unknown");
    config.PropagateExceptions();
    config.AddCommand<EnvCommand>("env")
        .WithDescription("Show the runtime: Repro and libtorch versions, device, threads; runs one tensor op to prove libtorch loads.");
    config.AddCommand<PreciseBnCommand>("precise-bn").WithDescription("Recompute every BatchNorm's running statistics over S training samples (Precise BN); writes a checkpoint and a JSON report.");
    config.AddCommand<EmaCommand>("ema").WithDescription("Precise BN for an EMA-weights checkpoint (same options as precise-bn).");
    config.AddCommand<MpiCheckCommand>("mpi-check").WithDescription("Check the MPI collective across --ranks N: exact, rank-identical sums, max, broadcast; timings.");
    config.AddCommand<DiffCommand>("diff").WithDescription("Compare two safetensors files tensor by tensor (max absolute difference), or two JSON outputs as results.");
    config.AddCommand<VerifyCommand>("verify").WithDescription("Check that a rerun reproduced a recorded run: every stage's outputs against two repro.lock.json files.");
    config.AddCommand<TrainCommand>("train").WithDescription("Train an experiment's model (seeded, resumable): epoch states, model.safetensors, ema.safetensors, metrics.json.");
    config.AddBranch("data", data =>
    {
        data.SetDescription("Data sources: load one and describe it.");
        data.AddCommand<DataInspectCommand>("inspect").WithDescription("Load a data source and print its count, shape, label histogram and per-channel mean/std.");
    });
    config.AddCommand<CheckpointCommand>("checkpoint").WithDescription("Publish a recalibrated model: a verified copy of the .safetensors and a .pt for torch.load, both read back and hash-checked.");
    config.AddCommand<ImportCommand>("import").WithDescription("Import a PyTorch state dict (.pt/.pth or safetensors) as a Repro checkpoint, checked against the model config.");
    config.AddCommand<ExportCommand>("export").WithDescription("Export a Repro checkpoint as a .pt state dict for torch.load + load_state_dict.");
    config.AddCommand<InfoCommand>("info").WithDescription("Show a checkpoint's model config, BatchNorm layers, parameter count and metadata.");
});
return CliErrors.Run(() => app.Run(args));
