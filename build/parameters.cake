// Typed parameters shared by every task (cake-build/cake style: one BuildParameters, made in Setup).
public sealed class BuildParameters
{
    public string Target { get; private set; }
    public string Configuration { get; private set; }
    public DirectoryPath RepoRoot { get; private set; }
    public FilePath Solution => RepoRoot.CombineWithFilePath("Repro.sln");
    public DirectoryPath Artifacts => RepoRoot.Combine("artifacts");
    public DirectoryPath TestResults => Artifacts.Combine("test-results");
    public DirectoryPath Packages => Artifacts.Combine("packages");
    /// <summary>--package-version; null: the repository's own (Directory.Build.props).</summary>
    public string PackageVersion { get; private set; }
    public bool IsCI { get; private set; }
    public bool IsRoot { get; private set; }

    public ExperimentInfo Experiment { get; private set; }
    /// <summary>The MSBuild knobs of the stage targets (src/Tasks/build/Repro.props), only those given.</summary>
    public StageOverrides Overrides { get; private set; }
    public DirectoryPath CacheDir { get; private set; }
    public DirectoryPath OutputDir { get; private set; }
    /// <summary>Where the experiment's outputs are: --output-dir, else the project's default out/.</summary>
    public DirectoryPath EffectiveOutputDir => OutputDir ?? Experiment.Directory.Combine("out");
    public DirectoryPath EffectiveCacheDir => CacheDir ?? RepoRoot.Combine(".repro/cache");

    public FilePath VerifyLock { get; private set; }
    public bool AllowMissing { get; private set; }
    public bool Accept { get; private set; }
    public string BenchArguments { get; private set; }

    /// <summary>This run's build summary (ReproBuildSummaryFile): what each build did with each stage.</summary>
    public FilePath BuildSummaryFile { get; private set; }

    public static BuildParameters Create(ICakeContext context)
    {
        var root = context.MakeAbsolute(context.Directory("."));
        string configuration = BuildArguments.OneOf(context, "configuration", "Release", "Debug") ?? "Release";
        string cacheDir = BuildArguments.Text(context, "cache-dir");
        string outputDir = BuildArguments.Text(context, "output-dir");
        string lockFile = BuildArguments.Text(context, "lock");
        return new BuildParameters
        {
            Target = context.Argument("target", "Default"),
            Configuration = configuration,
            RepoRoot = root,
            IsCI = string.Equals(context.EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
            IsRoot = context.EnvironmentVariable("USER") == "root" || System.Environment.UserName == "root",
            Experiment = ExperimentInfo.Resolve(root, BuildArguments.Text(context, "experiment")),
            Overrides = StageOverrides.FromArguments(context),
            CacheDir = string.IsNullOrEmpty(cacheDir) ? null : context.MakeAbsolute(context.Directory(cacheDir)),
            OutputDir = string.IsNullOrEmpty(outputDir) ? null : context.MakeAbsolute(context.Directory(outputDir)),
            VerifyLock = string.IsNullOrEmpty(lockFile) ? null : context.MakeAbsolute(context.File(lockFile)),
            AllowMissing = BuildArguments.Flag(context, "allow-missing"),
            Accept = BuildArguments.Flag(context, "accept"),
            BenchArguments = BuildArguments.Text(context, "bench-args") ?? "",
            PackageVersion = BuildArguments.Text(context, "package-version"),
            BuildSummaryFile = new FilePath(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"repro-cake-{Guid.NewGuid():N}.summary.json")),
        };
    }
}

/// <summary>--samples, --batch-size, --estimator, --ranks, --seed, --device as the MSBuild properties of the same meaning.</summary>
public sealed class StageOverrides
{
    public int? Samples { get; private set; }
    public int? BatchSize { get; private set; }
    public string Estimator { get; private set; }
    public int? Ranks { get; private set; }
    public int? Seed { get; private set; }
    public string Device { get; private set; }

    public static StageOverrides FromArguments(ICakeContext context)
    {
        string device = BuildArguments.Text(context, "device");
        if (device != null && !System.Text.RegularExpressions.Regex.IsMatch(device, "^(auto|cpu|cuda|cuda:[0-9]+)$"))
            throw new CakeException($"--device={device}: expected auto, cpu, cuda or cuda:N");
        return new StageOverrides
        {
            Samples = BuildArguments.PositiveInt(context, "samples"),
            BatchSize = BuildArguments.PositiveInt(context, "batch-size"),
            Estimator = BuildArguments.OneOf(context, "estimator", "population", "mean-of-batch-var"),
            Ranks = BuildArguments.PositiveInt(context, "ranks"),
            Seed = BuildArguments.Int(context, "seed"),
            Device = device,
        };
    }

    public IEnumerable<(string Property, string Value)> Properties()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (Samples is int s) yield return ("NumSamples", s.ToString(inv));
        if (BatchSize is int b) yield return ("BatchSize", b.ToString(inv));
        if (Estimator != null) yield return ("Estimator", Estimator);
        if (Ranks is int r) yield return ("Ranks", r.ToString(inv));
        if (Seed is int seed) yield return ("Seed", seed.ToString(inv));
        if (Device != null) yield return ("Device", Device);
    }
}
