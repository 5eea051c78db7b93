namespace Repro.Integration.Tests.Cake;

/// <summary>
/// One `dotnet cake --target=PreciseBn --experiment=tiny` into a fresh output folder and cache, shared
/// by the tests that build on it (they copy what they change).
/// </summary>
public sealed class TinyCakeRun : IDisposable
{
    private readonly TempFolder _folder = ReproProcess.TempFolder("repro-cake-run");

    public TinyCakeRun()
    {
        Result = CakeProcess.Run($"--target=PreciseBn --experiment=tiny --configuration={CakeProcess.Configuration} {Locations}", _folder.Path);
    }

    public ProcessResult Result { get; }
    public string Root => _folder.Path;
    public string OutDir => Path.Combine(Root, "out");
    public string CacheDir => Path.Combine(Root, "cache");
    public string LockFile => Path.Combine(OutDir, "repro.lock.json");
    public string Locations => $"--output-dir={OutDir} --cache-dir={CacheDir}";

    public void Dispose() => _folder.Dispose();
}
