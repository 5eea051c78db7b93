namespace Repro.Tasks.CliLocation;

/// <summary>
/// A command found on PATH, e.g. a global `repro` tool: ~/.dotnet/tools/repro is a link to the
/// apphost in the tool store, whose repro.dll lies beside the link's target, not beside the link.
/// </summary>
internal static class CommandOnPath
{
    public static string? Find(string command, string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
            return null;
        foreach (string dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? command + ".exe" : command);
            if (File.Exists(candidate))
                return AssemblyBeside(candidate);
        }
        return null;
    }

    /// <summary>The assembly beside an apphost (after following links), else the executable itself.</summary>
    public static string AssemblyBeside(string executable)
    {
        string target = executable;
        try
        {
            if (File.ResolveLinkTarget(executable, returnFinalTarget: true) is { } link)
                target = link.FullName;
        }
        catch (IOException)
        {
            // A dangling or looping link: run what PATH names and let the shell report it.
        }
        string dll = Path.Combine(Path.GetDirectoryName(target)!, Path.GetFileNameWithoutExtension(target) + ".dll");
        return File.Exists(dll) ? dll : executable;
    }
}
