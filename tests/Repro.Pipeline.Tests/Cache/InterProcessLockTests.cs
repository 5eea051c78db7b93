using System.Diagnostics;
using Repro.Pipeline.Cache;
using Repro.Pipeline.IO;

namespace Repro.Pipeline.Tests.Cache;

public class InterProcessLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SecondHolderWaitsUntilTheFirstReleases()
    {
        string path = Path.Combine(_dir, "k.lock");
        var first = InterProcessLock.Acquire(path, TimeSpan.FromSeconds(5));
        Assert.Null(InterProcessLock.TryAcquire(path));
        bool waited = false;
        var release = Task.Run(async () => { await Task.Delay(300); first.Dispose(); });
        var sw = Stopwatch.StartNew();
        using (InterProcessLock.Acquire(path, TimeSpan.FromSeconds(10), () => waited = true))
        {
            Assert.True(waited);
            Assert.True(sw.ElapsedMilliseconds >= 250, $"acquired after {sw.ElapsedMilliseconds} ms");
        }
        await release;
        using var again = InterProcessLock.TryAcquire(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void TimesOutWithTheLockFileNamed()
    {
        string path = Path.Combine(_dir, "k.lock");
        using var held = InterProcessLock.Acquire(path, TimeSpan.FromSeconds(5));
        var e = Assert.Throws<TimeoutException>(() => InterProcessLock.Acquire(path, TimeSpan.FromMilliseconds(200)));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AnotherProcessSeesTheLock()
    {
        // flock(1) from util-linux: proves the lock is a kernel lock other processes honour, not an in-process one.
        string path = Path.Combine(_dir, "k.lock");
        using (InterProcessLock.Acquire(path, TimeSpan.FromSeconds(5)))
            Assert.Equal(1, Flock(path));
        Assert.Equal(0, Flock(path));
    }

    [Fact]
    public void CacheLocksAreKeyed()
    {
        var cache = new ContentCache(Path.Combine(_dir, "cache"));
        using var a = cache.Lock(new string('a', 64), TimeSpan.FromSeconds(1));
        using var b = cache.Lock(new string('b', 64), TimeSpan.FromSeconds(1));
        Assert.Throws<TimeoutException>(() => cache.Lock(new string('a', 64), TimeSpan.FromMilliseconds(100)));
    }

    private static int Flock(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("flock", $"-n \"{path}\" true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
