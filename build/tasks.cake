#load "prerequisites.cake"
#load "experiments.cake"
#load "stages.cake"
#load "summary.cake"
#load "verify.cake"
#load "report.cake"

// ---- the code -------------------------------------------------------------------------------

Task("Prerequisites")
    .Description("Installs the Debian packages the tests need (as root), or says how.")
    .Does<BuildParameters>(p => Prerequisites.Ensure(Context, p));

Task("Restore")
    .Description("Restores the solution's packages.")
    .Does<BuildParameters>(p => DotNetRestore(p.Solution.FullPath));

Task("Build")
    .Description("Builds the solution (--configuration, default Release).")
    .IsDependentOn("Restore")
    .Does<BuildParameters>(p => DotNetBuild(p.Solution.FullPath, new DotNetBuildSettings
    {
        Configuration = p.Configuration,
        NoRestore = true,
    }));

Task("Test")
    .Description("Builds and runs every test project; TRX results go to artifacts/test-results.")
    .IsDependentOn("Prerequisites")
    .IsDependentOn("Build")
    .Does<BuildParameters>(p =>
    {
        CleanDirectory(p.TestResults);
        DotNetTest(p.Solution.FullPath, new DotNetTestSettings
        {
            Configuration = p.Configuration,
            NoBuild = true,
            ResultsDirectory = p.TestResults,
            Loggers = new[] { "trx", "console;verbosity=normal" },
        });
    });

Task("Pack")
    .Description("Packs Repro.Tasks (the MSBuild targets) and Repro.Cli (the `repro` tool, linux-x64, libtorch inside) into artifacts/packages.")
    .IsDependentOn("Restore")
    .Does<BuildParameters>(p =>
    {
        CleanDirectory(p.Packages);
        var msbuild = new DotNetMSBuildSettings();
        if (!string.IsNullOrEmpty(p.PackageVersion))
            msbuild.WithProperty("Version", p.PackageVersion);
        foreach (string project in new[] { "src/Tasks/Repro.Tasks.csproj", "src/Runtime/Repro.Cli/Repro.Cli.csproj" })
            DotNetPack(p.RepoRoot.CombineWithFilePath(project).FullPath, new DotNetPackSettings
            {
                Configuration = p.Configuration,
                OutputDirectory = p.Packages,
                NoLogo = true,
                MSBuildSettings = msbuild,
            });
        foreach (var package in GetFiles(p.Packages.FullPath + "/*.nupkg").OrderBy(f => f.FullPath))
            Information($"  {package.GetFilename()}  {new System.IO.FileInfo(package.FullPath).Length / (1024.0 * 1024.0):F1} MiB");
    });

// ---- the experiment: the MSBuild stage targets of --experiment --------------------------------

Task("Dataset")
    .Description("Installs Debian's dataset-fashion-mnist when the experiment reads it and it is missing (as root), or says how.")
    .WithCriteria<BuildParameters>((context, p) => p.Experiment.UsesDebianFashionMnist(), "the experiment does not read Debian's Fashion-MNIST")
    .WithCriteria(() => !FileExists(Prerequisites.FashionMnistProbe), "Fashion-MNIST is installed in /usr/share/datasets/fashion-mnist")
    .Does<BuildParameters>(p => Prerequisites.Ensure(Context, p, "dataset-fashion-mnist"));

Task("Mpi")
    .Description("Installs Open MPI for --ranks above 1 when it is missing (as root), or says how.")
    .WithCriteria<BuildParameters>((context, p) => p.Overrides.Ranks > 1, "one rank needs no MPI")
    .Does<BuildParameters>(p => Prerequisites.Ensure(Context, p, "openmpi-bin", "libopenmpi-dev"));

Task("Train")
    .Description("Trains the experiment's model (dotnet build -t:Train).")
    .IsDependentOn("Dataset")
    .Does<BuildParameters>(p => ExperimentBuild.Run(Context, p, "Train"));

Task("PreciseBn")
    .Description("Train, then Precise BN: BatchNorm statistics recomputed over --samples (dotnet build -t:Recalibrate).")
    .IsDependentOn("Dataset")
    .IsDependentOn("Mpi")
    .Does<BuildParameters>(p => ExperimentBuild.Run(Context, p, "Recalibrate"));

Task("Checkpoint")
    .Description("Up to PreciseBn, then publishes the recalibrated model as .safetensors and .pt (dotnet build -t:Checkpoint).")
    .IsDependentOn("Dataset")
    .IsDependentOn("Mpi")
    .Does<BuildParameters>(p => ExperimentBuild.Run(Context, p, "Checkpoint"));

Task("Ema")
    .Description("The whole pipeline, ending with Precise BN of the EMA weights (dotnet build -t:Ema).")
    .IsDependentOn("Dataset")
    .IsDependentOn("Mpi")
    .Does<BuildParameters>(p => ExperimentBuild.Run(Context, p, "Ema"));

Task("Verify")
    .Description("Reruns the recorded stages from scratch in a temporary cache and fails unless every output matches the lock record (--lock, --allow-missing, --accept).")
    .IsDependentOn("Dataset")
    .IsDependentOn("Mpi")
    .Does<BuildParameters>(p => Verification.Run(Context, p));

Task("Report")
    .Description("Prints what the last build of the experiment recorded: stages, keys, accuracies, report files.")
    .Does<BuildParameters>(p => RunReport.Print(Context, p));

Task("Bench")
    .Description("Runs the benchmarks: dotnet run -c Release --project bench/Repro.Bench (--bench-args=\"--only 1,6\").")
    .Does<BuildParameters>(p =>
    {
        var project = p.RepoRoot.Combine("bench/Repro.Bench");
        if (!DirectoryExists(project))
            throw new CakeException($"Bench: {project.FullPath} is not in this checkout; the benchmarks live in bench/Repro.Bench.");
        DotNetRun(project.FullPath, new ProcessArgumentBuilder().Append(p.BenchArguments), new DotNetRunSettings { Configuration = "Release" });
    });

Task("Clean")
    .Description("Removes build outputs, test results and the experiment's stage outputs; never the cache (.repro/cache), which clones may share.")
    .Does<BuildParameters>(p =>
    {
        DotNetClean(p.Solution.FullPath, new DotNetCleanSettings { Configuration = p.Configuration, NoLogo = true });
        // The experiment's own Clean removes its stage outputs and stamps (src/Tasks/build/Repro.targets, _ReproClean);
        // a project never restored has never built anything.
        if (FileExists(p.Experiment.Project.GetDirectory().CombineWithFilePath("obj/project.assets.json")))
            DotNetClean(p.Experiment.Project.FullPath, new DotNetCleanSettings
            {
                Configuration = p.Configuration,
                NoLogo = true,
                MSBuildSettings = p.OutputDir is null ? null : new DotNetMSBuildSettings().WithProperty("ReproOutputDir", p.OutputDir.FullPath + "/"),
            });
        if (DirectoryExists(p.Artifacts))
            DeleteDirectory(p.Artifacts, new DeleteDirectorySettings { Recursive = true, Force = true });
    });

Task("Help")
    .Description("Lists the targets and the arguments.")
    .Does(() =>
    {
        BuildArguments.ListTargets(Context, Tasks);
        BuildArguments.ListArguments(Context);
    });

Task("Default")
    .Description("Test.")
    .IsDependentOn("Test");
