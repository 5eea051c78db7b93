using System.Runtime.InteropServices;

namespace Repro.Pipeline.IO;

/// <summary>How a file from the cache was put in place.</summary>
public enum PlacementMode { HardLink, Copy }

/// <summary>
/// Puts a file at a path atomically, as a copy or (when asked and the file system allows) a hard
/// link. The target appears whole or not at all.
/// </summary>
public static class FilePlacement
{
    public static PlacementMode Place(string source, string target, bool hardLink)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        string tmp = AtomicFile.TempPathBeside(target);
        try
        {
            PlacementMode mode;
            if (hardLink && TryHardLink(source, tmp))
                mode = PlacementMode.HardLink;
            else
            {
                File.Copy(source, tmp, overwrite: true);
                mode = PlacementMode.Copy;
            }
            File.Move(tmp, target, overwrite: true);
            return mode;
        }
        finally
        {
            AtomicFile.TryDelete(tmp);
        }
    }

    /// <summary>link(2) / CreateHardLinkW. False when the file system refuses (EXDEV, no support, ...).</summary>
    public static bool TryHardLink(string existing, string newPath)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                return CreateHardLinkW(newPath, existing, IntPtr.Zero);
            return link(existing, newPath) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Cache objects are read-only so that writing through a hard-linked output fails instead of corrupting the cache.</summary>
    public static void MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
            File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.ReadOnly);
        else
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath);

    [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string lpFileName, string lpExistingFileName, IntPtr lpSecurityAttributes);
}
