namespace Repro.Runtime.Tests;

internal static class RepoPaths
{
    /// <summary>The repository root (the folder holding Repro.sln).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found above " + AppContext.BaseDirectory);
    }
}
