namespace Repro.Bench.Figures;

/// <summary>
/// Figure 4: what Repro adds to a build that has nothing to do. A cache-hit `dotnet build
/// -t:Recalibrate` of the default experiment (stage keys recomputed from content hashes, no libtorch)
/// against a no-op `dotnet build` of an empty project, same flags, interleaved.
/// </summary>
public static class NoOpBuildFigure
{
    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        string empty = Path.Combine(ctx.WorkDir, "empty-project");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "empty.csproj"),
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>\n");
        string emptyArgs = $"build \"{empty}\" -nologo -v:m";
        string reproArgs = EndToEndFigure.BuildArgs(ctx, "Recalibrate");

        // Warm-up: the first builds restore, compile, and (if figure 7 did not run) train and recalibrate.
        BenchProcess.Run("dotnet", emptyArgs, ctx.RepoRoot).EnsureSuccess("dotnet build (empty project)");
        BenchProcess.Run("dotnet", reproArgs, ctx.RepoRoot).EnsureSuccess("dotnet build -t:Recalibrate");

        var paired = Timing.Paired(1, ctx.Repetitions,
            () => BenchProcess.Run("dotnet", reproArgs, ctx.RepoRoot).EnsureSuccess("dotnet build -t:Recalibrate").Seconds,
            () => BenchProcess.Run("dotnet", emptyArgs, ctx.RepoRoot).EnsureSuccess("dotnet build (empty project)").Seconds);
        yield return BenchRow.FromTiming("4", "cache-hit dotnet build -t:Recalibrate", paired.A, detail: "default experiment, wall");
        yield return BenchRow.FromTiming("4", "no-op dotnet build, empty project", paired.B, detail: "wall");
        yield return BenchRow.Ratio("4", "cache-hit Recalibrate ÷ no-op build", paired.Ratio, TargetKind.AtMost, 1.5);
    }
}
