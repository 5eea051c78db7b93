// Compiled by RoslynCodeTaskFactory from eng/TorchSharpNative.targets.
//
// Why this exists: TorchSharp 0.107.0's libLibTorchSharp.so was linked against a libstdc++ that
// defines GLIBCXX_3.4.32, and lists that version in .gnu.version_r for one symbol,
// _ZSt21ios_base_library_initv. No relocation references that symbol, so nothing breaks when it
// is absent; but glibc's loader refuses the whole library when a *required* version is missing
// (Debian 12's libstdc++ stops at 3.4.30). Marking that one Vernaux entry VER_FLG_WEAK turns the
// hard failure into the loader's "weak version not found" case, which it silently accepts.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The ELF shared objects to patch in place (copies in an output folder, never the NuGet cache).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version whose requirement becomes weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    /// <summary>
    /// Patch even where this machine's libstdc++ defines the version: for folders that are shipped
    /// (a tool package), since the machine that runs them may be older. A weak entry costs nothing
    /// where the version exists.
    /// </summary>
    public bool Always { get; set; }

    /// <summary>The files that were changed by this run.</summary>
    [Output]
    public ITaskItem[] Patched { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (!Always && SystemLibStdCxxDefines(Version))
        {
            Log.LogMessage(MessageImportance.Low, "REPRO: the system libstdc++ defines {0}; nothing to patch.", Version);
            return true;
        }

        var patched = new System.Collections.Generic.List<ITaskItem>();
        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path))
                continue;
            try
            {
                if (PatchFile(path))
                {
                    patched.Add(item);
                    Log.LogMessage(MessageImportance.Normal, "REPRO: marked {0} weak in {1}", Version, path);
                }
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogError(null, "REPRO0001", null, path, 0, 0, 0, 0, "REPRO0001: cannot patch {0}: {1}", path, e.Message);
            }
        }
        Patched = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>Returns true when the file changed; false when it was already weak or has no such entry.</summary>
    private bool PatchFile(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        bool changed = false;
        bool found = false;
        for (int i = 0; i < shnum; i++)
        {
            long sh = checked((long)shoff + (long)i * shentsize);
            if (sh + 64 > elf.Length) throw new InvalidDataException("section header out of range");
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;

            long secOffset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
            uint link = BitConverter.ToUInt32(elf, (int)sh + 40);
            uint entries = BitConverter.ToUInt32(elf, (int)sh + 44);
            long strSh = checked((long)shoff + (long)link * shentsize);
            long strOffset = (long)BitConverter.ToUInt64(elf, (int)strSh + 24);

            long vn = secOffset;
            for (uint e = 0; e < entries; e++)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    long name = strOffset + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == Version)
                    {
                        found = true;
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                            changed = true;
                        }
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        if (!found || !changed)
            return false;

        // Write beside the target and rename: never half-written, and a hard link into the NuGet
        // cache (if the copy made one) is replaced rather than modified.
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        string tmp = path + ".repro-tmp";
        File.WriteAllBytes(tmp, elf);
        // Keep the original timestamp so the SDK's SkipUnchangedFiles copy leaves our copy alone.
        File.SetLastWriteTimeUtc(tmp, mtime);
        // File.Replace is a rename(2) on Unix; the factory compiles against netstandard, which lacks Move(overwrite).
        File.Replace(tmp, path, null);
        return true;
    }

    private static string ReadCString(byte[] data, long offset)
    {
        int end = (int)offset;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)offset, end - (int)offset);
    }

    private static bool SystemLibStdCxxDefines(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        string lib = candidates.FirstOrDefault(File.Exists);
        if (lib == null)
            return true; // not a glibc Linux system: nothing to do.
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        byte[] hay = File.ReadAllBytes(lib);
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
