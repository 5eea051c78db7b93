namespace Repro.Pipeline.IO;

/// <summary>
/// An exclusive lock shared by every process on the machine (and on file systems that honour
/// flock, across machines): a FileStream opened with FileShare.None takes flock(LOCK_EX) on Unix
/// and a share-mode lock on Windows. The kernel drops it when the holder exits or is killed, so a
/// crashed build never leaves a stale lock behind. The lock file itself is never deleted: removing
/// it while another process waits on the old inode would let two holders in at once.
/// </summary>
public sealed class InterProcessLock : IDisposable
{
    private FileStream? _stream;

    private InterProcessLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    public static InterProcessLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new InterProcessLock(stream, path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // Windows reports a file held by another process this way in some cases.
            return null;
        }
    }

    /// <summary>Waits until the lock is free. <paramref name="onWait"/> is called once, when the first try fails.</summary>
    /// <exception cref="TimeoutException">The lock stayed taken for <paramref name="timeout"/>.</exception>
    public static InterProcessLock Acquire(string path, TimeSpan timeout, Action? onWait = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        int delayMs = 20;
        bool told = false;
        while (true)
        {
            var held = TryAcquire(path);
            if (held != null)
                return held;
            if (!told)
            {
                onWait?.Invoke();
                told = true;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{path}: still locked by another process after {timeout.TotalSeconds:F0} s");
            cancellationToken.WaitHandle.WaitOne(delayMs);
            cancellationToken.ThrowIfCancellationRequested();
            delayMs = Math.Min(delayMs * 2, 500);
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
