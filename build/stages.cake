// The experiment targets are `dotnet build <experiment project> -t:<Stage>`: the same MSBuild targets,
// stage engine, cache and lock record as a plain `dotnet build`. Cake decides nothing about what is
// up to date; it passes the knobs, asks the build to record what it did (ReproBuildSummaryFile) and
// to show the `repro` CLI's progress lines at the default verbosity.
public static class ExperimentBuild
{
    /// <param name="target">Train | Recalibrate | Checkpoint | Ema (MSBuild's names).</param>
    /// <param name="outputDir">Overrides --output-dir (Verify builds in a folder of its own).</param>
    public static void Run(ICakeContext context, BuildParameters p, string target, DirectoryPath outputDir = null, DirectoryPath cacheDir = null)
    {
        var msbuild = new DotNetMSBuildSettings()
            .WithTarget(target)
            .WithProperty("ReproBuildSummaryFile", p.BuildSummaryFile.FullPath)
            .WithProperty("ReproCliOutputImportance", "high");
        foreach (var (property, value) in p.Overrides.Properties())
            msbuild.WithProperty(property, value);
        if ((cacheDir ?? p.CacheDir) is DirectoryPath cache)
            msbuild.WithProperty("ReproCacheDir", cache.FullPath + "/");
        if ((outputDir ?? p.OutputDir) is DirectoryPath output)
            msbuild.WithProperty("ReproOutputDir", output.FullPath + "/");

        context.Information($"{target}: dotnet build {p.RepoRoot.GetRelativePath(p.Experiment.Project)} -t:{target}"
            + string.Concat(p.Overrides.Properties().Select(o => $" -p:{o.Property}={o.Value}")));
        context.DotNetBuild(p.Experiment.Project.FullPath, new DotNetBuildSettings
        {
            Configuration = p.Configuration,
            NoLogo = true,
            Verbosity = DotNetVerbosity.Minimal,
            MSBuildSettings = msbuild,
            // Plain console lines (the CLI's progress, the stage lines) rather than the live terminal view;
            // no build node outlives the run holding the task assembly.
            ArgumentCustomization = args => args.Append("-tl:off").Append("-nodeReuse:false"),
        });
    }

    /// <summary>The MSBuild target that runs a stage, by the stage's id in the lock record.</summary>
    public static string TargetOf(string stageId) => stageId switch
    {
        "train" => "Train",
        "precise-bn" => "Recalibrate",
        "checkpoint" => "Checkpoint",
        "ema" => "Ema",
        _ => throw new CakeException($"Unknown stage '{stageId}' in the lock record; expected train, precise-bn, checkpoint or ema."),
    };

    public static readonly string[] StageOrder = { "train", "precise-bn", "checkpoint", "ema" };
}
