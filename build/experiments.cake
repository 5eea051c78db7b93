// Experiments are found, not listed: a folder under experiments/ or tests/experiments/ holding an
// experiment.json and the MSBuild project that carries Repro's stage targets.
public sealed class ExperimentInfo
{
    public string Name { get; private set; }
    public DirectoryPath Directory { get; private set; }
    public FilePath Project { get; private set; }
    public FilePath ExperimentFile => Directory.CombineWithFilePath("experiment.json");
    /// <summary>The lock record kept in git beside experiment.json, which Verify reproduces.</summary>
    public FilePath CommittedLock => Directory.CombineWithFilePath("repro.lock.json");

    public static readonly string[] Roots = { "experiments", "tests/experiments" };
    public const string DefaultName = "fashion-mnist-resnet";

    public static IReadOnlyList<ExperimentInfo> FindAll(DirectoryPath repoRoot)
    {
        var found = new List<ExperimentInfo>();
        foreach (string root in Roots)
        {
            string dir = repoRoot.Combine(root).FullPath;
            if (!System.IO.Directory.Exists(dir))
                continue;
            foreach (string folder in System.IO.Directory.GetDirectories(dir).OrderBy(d => d, StringComparer.Ordinal))
            {
                if (!System.IO.File.Exists(System.IO.Path.Combine(folder, "experiment.json")))
                    continue;
                var projects = System.IO.Directory.GetFiles(folder, "*.csproj");
                if (projects.Length != 1)
                    continue;
                found.Add(new ExperimentInfo
                {
                    Name = System.IO.Path.GetFileName(folder),
                    Directory = new DirectoryPath(folder),
                    Project = new FilePath(projects[0]),
                });
            }
        }
        return found;
    }

    /// <summary>By folder name (tiny), or by a path to the folder, its experiment.json or its project.</summary>
    public static ExperimentInfo Resolve(DirectoryPath repoRoot, string nameOrPath)
    {
        var all = FindAll(repoRoot);
        string wanted = nameOrPath ?? DefaultName;
        var byName = all.FirstOrDefault(e => string.Equals(e.Name, wanted, StringComparison.Ordinal));
        if (byName != null)
            return byName;
        string full = System.IO.Path.GetFullPath(wanted, repoRoot.FullPath);
        string folder = System.IO.File.Exists(full) ? System.IO.Path.GetDirectoryName(full) : full;
        var byPath = all.FirstOrDefault(e => string.Equals(System.IO.Path.TrimEndingDirectorySeparator(e.Directory.FullPath),
            System.IO.Path.TrimEndingDirectorySeparator(folder), StringComparison.Ordinal));
        if (byPath != null)
            return byPath;
        string known = string.Join(", ", all.Select(e => $"{e.Name} ({repoRoot.GetRelativePath(e.Directory)})"));
        throw new CakeException($"--experiment={wanted}: unknown experiment. Known experiments: {known}.");
    }

    /// <summary>
    /// Reads data.train/data.test: Debian's Fashion-MNIST ("fashion-mnist:train" without "@dir")
    /// is a system package the Dataset target can install.
    /// </summary>
    public bool UsesDebianFashionMnist()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(ExperimentFile.FullPath));
        if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != System.Text.Json.JsonValueKind.Object)
            return false;
        return data.EnumerateObject()
            .Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String)
            .Select(p => p.Value.GetString())
            .Any(spec => spec.StartsWith("fashion-mnist:", StringComparison.Ordinal) && !spec.Contains('@'));
    }

    public override string ToString() => Name;
}
