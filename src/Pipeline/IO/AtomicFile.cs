namespace Repro.Pipeline.IO;

/// <summary>Never half-written: write a temp file in the same folder, then rename over the target.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = TempPathBeside(path);
        try
        {
            File.WriteAllText(tmp, contents);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    /// <summary>A unique name in the target's folder, so the final rename never crosses file systems.</summary>
    public static string TempPathBeside(string path)
        => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
