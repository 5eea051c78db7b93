// The script's command line: every argument it accepts, checked before anything runs. Cake itself
// ignores arguments it does not know, so a typo such as --sample=4096 would silently run the
// experiment's default; here it is an error that lists what is accepted.
public static class BuildArguments
{
    public static readonly (string Name, string Help)[] Known =
    {
        ("target", "the target to run (default: Default)"),
        ("experiment", "experiment name or folder (default: fashion-mnist-resnet)"),
        ("samples", "Precise BN / EMA samples (NumSamples)"),
        ("batch-size", "Precise BN / EMA batch size (BatchSize)"),
        ("estimator", "population | mean-of-batch-var (Estimator)"),
        ("ranks", "MPI ranks for Precise BN / EMA (Ranks)"),
        ("seed", "seed for training and sampling (Seed)"),
        ("device", "auto | cpu | cuda | cuda:N (Device)"),
        ("configuration", "Release (default) or Debug"),
        ("cache-dir", "the content-addressed cache (ReproCacheDir; default .repro/cache)"),
        ("output-dir", "where stage outputs and repro.lock.json go (ReproOutputDir; default <experiment>/out)"),
        ("lock", "Verify: the lock record to reproduce (default: committed <experiment>/repro.lock.json, else the last build's)"),
        ("allow-missing", "Verify: a stage recorded on one side only does not fail"),
        ("accept", "Verify: record the rerun as <experiment>/repro.lock.json (an intended change of results)"),
        ("package-version", "Pack: the packages' version (default: the repository's, Directory.Build.props)"),
        ("bench-args", "Bench: passed to bench/Repro.Bench, e.g. --bench-args=\"--only 1,6 --reps 3\""),
    };

    // Cake's own configuration overrides (--settings_skipverification=true, --paths_tools=…).
    private static readonly string[] CakePrefixes = { "settings_", "paths_", "nuget_", "roslyn_" };

    /// <summary>Fails on an unknown argument, after listing the targets and the arguments.</summary>
    public static void Check(ICakeContext context, IReadOnlyList<ICakeTaskInfo> tasks)
    {
        var unknown = context.Arguments.GetArguments().Keys
            .Where(name => !Known.Any(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase)))
            .Where(name => !CakePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (unknown.Count == 0)
            return;
        ListTargets(context, tasks);
        ListArguments(context);
        throw new CakeException($"Unknown argument{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => "--" + u))}; the arguments are listed above.");
    }

    /// <summary>An unknown target gets the list of targets; Cake then reports it in its own words.</summary>
    public static void CheckTarget(ICakeContext context, IReadOnlyList<ICakeTaskInfo> tasks, string target)
    {
        if (!tasks.Any(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase)))
            ListTargets(context, tasks);
    }

    public static void ListArguments(ICakeContext context)
    {
        context.Information("Arguments:");
        foreach (var (name, help) in Known)
            context.Information($"  --{name,-15} {help}");
    }

    public static void ListTargets(ICakeContext context, IReadOnlyList<ICakeTaskInfo> tasks)
    {
        context.Information("Targets:");
        foreach (var t in tasks.Where(t => !string.IsNullOrEmpty(t.Description)))
            context.Information($"  {t.Name,-13} {t.Description}");
    }

    public static string Text(ICakeContext context, string name) =>
        context.HasArgument(name) ? context.Argument<string>(name, "").Trim() : null;

    public static int? PositiveInt(ICakeContext context, string name)
    {
        string text = Text(context, name);
        if (text is null)
            return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < 1)
            throw new CakeException($"--{name}={text}: expected a positive whole number");
        return value;
    }

    public static int? Int(ICakeContext context, string name)
    {
        string text = Text(context, name);
        if (text is null)
            return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value))
            throw new CakeException($"--{name}={text}: expected a whole number");
        return value;
    }

    public static string OneOf(ICakeContext context, string name, params string[] allowed)
    {
        string text = Text(context, name);
        if (text is null)
            return null;
        if (!allowed.Contains(text, StringComparer.Ordinal))
            throw new CakeException($"--{name}={text}: expected {string.Join(" or ", allowed)}");
        return text;
    }

    public static bool Flag(ICakeContext context, string name)
    {
        string text = Text(context, name);
        if (text is null)
            return false;
        if (text.Length == 0 || string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            return true;
        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            return false;
        throw new CakeException($"--{name}={text}: expected true or false (or just --{name})");
    }
}
