// Verify: does the experiment reproduce? Rebuild every recorded stage from scratch (a fresh, empty
// cache and output folder, so nothing can be restored) and have `repro verify` compare the outputs
// with the recorded run, tensor by tensor where they differ.
public static class Verification
{
    /// <summary>
    /// The run to reproduce: --lock; else the lock record committed beside experiment.json; else the
    /// last build's &lt;output-dir&gt;/repro.lock.json; null when there is none.
    /// </summary>
    public static FilePath FindReferenceLock(BuildParameters p)
    {
        if (p.VerifyLock != null)
        {
            if (!System.IO.File.Exists(p.VerifyLock.FullPath))
                throw new CakeException($"--lock={p.VerifyLock.FullPath}: file not found");
            return p.VerifyLock;
        }
        return new[] { p.Experiment.CommittedLock, p.EffectiveOutputDir.CombineWithFilePath("repro.lock.json") }
            .FirstOrDefault(f => System.IO.File.Exists(f.FullPath));
    }

    /// <summary>The last stage the record has, in pipeline order: the rerun goes that far and no further.</summary>
    public static string LastRecordedStage(FilePath lockFile)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(lockFile.FullPath));
        if (!doc.RootElement.TryGetProperty("stages", out var stages) || stages.ValueKind != System.Text.Json.JsonValueKind.Object)
            throw new CakeException($"{lockFile.FullPath}: not a Repro lock record (no \"stages\" object)");
        var ids = stages.EnumerateObject().Select(s => s.Name).ToList();
        if (ids.Count == 0)
            throw new CakeException($"{lockFile.FullPath}: records no stage; nothing to verify");
        foreach (string id in ids)
            ExperimentBuild.TargetOf(id);
        return ids.OrderBy(id => Array.IndexOf(ExperimentBuild.StageOrder, id)).Last();
    }

    public static void Run(ICakeContext context, BuildParameters p)
    {
        FilePath reference = FindReferenceLock(p);
        if (reference is null && !p.Accept)
            throw new CakeException($"Verify: no run of {p.Experiment.Name} to reproduce: neither {p.Experiment.CommittedLock.FullPath} (committed) "
                + $"nor {p.EffectiveOutputDir.CombineWithFilePath("repro.lock.json").FullPath} (last build) exists. "
                + $"Record one with `dotnet cake --target=Verify --experiment={p.Experiment.Name} --accept`, or pass --lock=<repro.lock.json>.");
        string target = reference is null ? "Ema" : ExperimentBuild.TargetOf(LastRecordedStage(reference));
        var work = new DirectoryPath(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"repro-verify-{p.Experiment.Name}-{Guid.NewGuid():N}"));
        var output = work.Combine("out");
        var rerunLock = output.CombineWithFilePath("repro.lock.json");
        context.Information(reference is null
            ? $"Verify: recording {p.Experiment.Name} from scratch in {work.FullPath}"
            : $"Verify: reproducing {reference.FullPath} up to {target}, from scratch in {work.FullPath}");

        ExperimentBuild.Run(context, p, target, outputDir: output, cacheDir: work.Combine("cache"));
        StageSummary.Print(context, "Verify rerun", StageSummary.Read(p.BuildSummaryFile, output), output);

        int exit = reference is null ? 0 : Compare(context, p, reference, rerunLock);
        if (p.Accept)
        {
            context.CopyFile(rerunLock, p.Experiment.CommittedLock);
            context.Information($"Verify: recorded {p.Experiment.CommittedLock.FullPath} from this rerun; commit it.");
        }
        else if (exit != 0)
            throw new CakeException(exit == 1
                ? $"Verify: {p.Experiment.Name} did NOT reproduce {reference.FullPath} (differences above; the rerun is kept in {work.FullPath}; "
                  + "--accept records it when the change is intended)."
                : $"Verify: `repro verify` failed with exit code {exit}.");
        context.DeleteDirectory(work, new DeleteDirectorySettings { Recursive = true, Force = true });
    }

    /// <returns>`repro verify`'s exit code: 0 reproduced, 1 differs, 2 bad input.</returns>
    private static int Compare(ICakeContext context, BuildParameters p, FilePath reference, FilePath rerunLock)
    {
        var args = new ProcessArgumentBuilder()
            .Append("exec").AppendQuoted(Cli(p).FullPath).Append("verify")
            .Append("--expected").AppendQuoted(reference.FullPath)
            .Append("--actual").AppendQuoted(rerunLock.FullPath);
        // Where the recorded run's files may still be, for a tensor-level comparison where hashes differ.
        if (System.IO.Directory.Exists(p.EffectiveOutputDir.FullPath))
            args.Append("--expected-dir").AppendQuoted(p.EffectiveOutputDir.FullPath);
        if (System.IO.Directory.Exists(p.EffectiveCacheDir.FullPath))
            args.Append("--expected-cache").AppendQuoted(p.EffectiveCacheDir.FullPath);
        if (p.AllowMissing)
            args.Append("--allow-missing");
        return context.StartProcess("dotnet", new ProcessSettings { Arguments = args, WorkingDirectory = p.RepoRoot });
    }

    /// <summary>repro.dll as the experiment build made it (eng/ReproInRepo.targets builds the CLI first).</summary>
    public static FilePath Cli(BuildParameters p) =>
        p.RepoRoot.CombineWithFilePath($"src/Runtime/Repro.Cli/bin/{p.Configuration}/net10.0/repro.dll");
}
