using Newtonsoft.Json.Linq;

namespace Repro.Tasks.CliLocation;

/// <summary>
/// A local .NET tool manifest (dotnet-tools.json) entry that provides a command: the way a repository
/// pins the `repro` tool's version next to its experiments, as it pins cake.tool.
/// </summary>
internal sealed record ToolManifestEntry(string ManifestPath, string PackageId, string Version);

internal static class ToolManifest
{
    /// <summary>
    /// The nearest manifest at or above <paramref name="directory"/> that lists <paramref name="command"/>,
    /// searched the way `dotnet tool run` does: in each folder `.config/dotnet-tools.json`, then
    /// `dotnet-tools.json`, walking up until a manifest marked "isRoot": true.
    /// </summary>
    /// <exception cref="BadInputException">a manifest on the way is not valid JSON of the manifest's shape.</exception>
    public static ToolManifestEntry? Find(string directory, string command)
    {
        for (var dir = new DirectoryInfo(directory); dir != null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, ".config", "dotnet-tools.json"), Path.Combine(dir.FullName, "dotnet-tools.json") })
            {
                if (!File.Exists(candidate))
                    continue;
                var (entry, isRoot) = Read(candidate, command);
                if (entry != null)
                    return entry;
                if (isRoot)
                    return null;
            }
        }
        return null;
    }

    private static (ToolManifestEntry? Entry, bool IsRoot) Read(string path, string command)
    {
        JObject json;
        try
        {
            json = JObject.Parse(File.ReadAllText(path));
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            throw new BadInputException($"tool manifest {path}: not valid JSON ({e.Message})");
        }
        bool isRoot = json["isRoot"]?.Type == JTokenType.Boolean && json.Value<bool>("isRoot");
        if (json["tools"] is not JObject tools)
            return (null, isRoot);
        foreach (var (id, value) in tools)
        {
            if (value is not JObject tool || tool["commands"] is not JArray commands)
                continue;
            if (!commands.Any(c => c.Type == JTokenType.String && string.Equals((string?)c, command, StringComparison.Ordinal)))
                continue;
            string? version = tool["version"]?.Type == JTokenType.String ? (string?)tool["version"] : null;
            if (string.IsNullOrWhiteSpace(version))
                throw new BadInputException($"tool manifest {path}: tool '{id}' gives no version");
            return (new ToolManifestEntry(path, id, version.Trim()), isRoot);
        }
        return (null, isRoot);
    }
}
