// Typed parameters shared by every task (cake-build/cake style: one BuildParameters, made in Setup).
public sealed class BuildParameters
{
    public string Target { get; private set; }
    public string Configuration { get; private set; }
    public DirectoryPath RepoRoot { get; private set; }
    public DirectoryPath TestResults { get; private set; }
    public bool IsCI { get; private set; }
    public bool IsRoot { get; private set; }

    public static BuildParameters Create(ICakeContext context)
    {
        var root = context.MakeAbsolute(context.Directory("."));
        return new BuildParameters
        {
            Target = context.Argument("target", "Default"),
            Configuration = context.Argument("configuration", "Release"),
            RepoRoot = root,
            TestResults = root.Combine("artifacts/test-results"),
            IsCI = string.Equals(context.EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
            IsRoot = context.EnvironmentVariable("USER") == "root" || System.Environment.UserName == "root",
        };
    }
}
