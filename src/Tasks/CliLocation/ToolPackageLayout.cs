using System.Xml.Linq;

namespace Repro.Tasks.CliLocation;

/// <summary>
/// Where a restored .NET tool package keeps its command, read the way the dotnet CLI reads it:
/// tools/&lt;tfm&gt;/&lt;rid&gt;/DotnetToolSettings.xml names the entry point. A RID-specific tool (Repro.Cli,
/// whose libtorch natives are per platform) is a pointer package whose settings list one package
/// per RID instead; the command lives in that package (e.g. Repro.Cli.linux-x64).
/// Package folders follow NuGet's global-packages layout: lower-case id and version.
/// </summary>
internal static class ToolPackageLayout
{
    private const string SettingsFile = "DotnetToolSettings.xml";

    /// <summary>The command's entry point (repro.dll for a framework-dependent tool, else its executable), or null when the package is not restored under <paramref name="packageRoot"/>.</summary>
    public static string? FindEntryPoint(string packageRoot, string packageId, string version, string command, string runtimeIdentifier)
    {
        string? settings = FindSettings(packageRoot, packageId, version, "any");
        if (settings == null)
            return null;
        var doc = Load(settings);
        var ridPackage = doc.Descendants("RuntimeIdentifierPackage")
            .FirstOrDefault(p => string.Equals((string?)p.Attribute("RuntimeIdentifier"), runtimeIdentifier, StringComparison.OrdinalIgnoreCase)
                                 || string.Equals((string?)p.Attribute("RuntimeIdentifier"), "any", StringComparison.OrdinalIgnoreCase));
        if (ridPackage != null)
        {
            string ridId = (string?)ridPackage.Attribute("Id") ?? "";
            string ridOfPackage = (string?)ridPackage.Attribute("RuntimeIdentifier") ?? runtimeIdentifier;
            settings = FindSettings(packageRoot, ridId, version, ridOfPackage);
            if (settings == null)
                return null;
            doc = Load(settings);
        }
        else if (doc.Descendants("RuntimeIdentifierPackages").Any())
        {
            var offered = doc.Descendants("RuntimeIdentifierPackage").Select(p => (string?)p.Attribute("RuntimeIdentifier"));
            throw new BadInputException($"tool package {packageId} {version} has no build for {runtimeIdentifier} (it has: {string.Join(", ", offered)})");
        }

        var entry = doc.Descendants("Command")
            .FirstOrDefault(c => string.Equals((string?)c.Attribute("Name"), command, StringComparison.Ordinal));
        string? entryPoint = (string?)entry?.Attribute("EntryPoint");
        if (string.IsNullOrEmpty(entryPoint))
            throw new BadInputException($"tool package {packageId} {version}: {settings} declares no command '{command}'");
        string dir = Path.GetDirectoryName(settings)!;
        // An executable (apphost) entry point of a framework-dependent tool has its assembly beside it;
        // prefer the assembly, so stage keys can read its version and the dotnet host that runs the build runs it.
        string beside = Path.Combine(dir, Path.GetFileNameWithoutExtension(entryPoint) + ".dll");
        if (File.Exists(beside))
            return beside;
        string path = Path.Combine(dir, entryPoint);
        return File.Exists(path) ? path : null;
    }

    /// <summary>tools/&lt;tfm&gt;/&lt;rid&gt;/DotnetToolSettings.xml of the restored package (pointer packages use tools/any/any).</summary>
    private static string? FindSettings(string packageRoot, string packageId, string version, string rid)
    {
        string tools = Path.Combine(packageRoot, packageId.ToLowerInvariant(), version.ToLowerInvariant(), "tools");
        if (!Directory.Exists(tools))
            return null;
        return Directory.EnumerateDirectories(tools)
            .Order(StringComparer.Ordinal)
            .Select(tfm => Path.Combine(tfm, rid, SettingsFile))
            .FirstOrDefault(File.Exists);
    }

    private static XDocument Load(string path)
    {
        try
        {
            return XDocument.Load(path);
        }
        catch (System.Xml.XmlException e)
        {
            throw new BadInputException($"{path}: not valid XML ({e.Message})");
        }
    }
}
