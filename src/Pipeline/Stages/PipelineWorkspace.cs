namespace Repro.Pipeline.Stages;

/// <summary>
/// Where an experiment's files live. Outputs: &lt;OutputDirectory&gt;/&lt;stage id&gt;/&lt;file&gt;; the lock
/// record beside them; private state (file-hash memo, staging folders, lock-record lock) in
/// &lt;OutputDirectory&gt;/.repro. The cache is elsewhere and may be shared.
/// </summary>
public sealed class PipelineWorkspace
{
    public PipelineWorkspace(string outputDirectory, string cacheDirectory, string? lockRecordPath = null)
    {
        OutputDirectory = Path.GetFullPath(outputDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        LockRecordPath = Path.GetFullPath(lockRecordPath ?? Path.Combine(OutputDirectory, "repro.lock.json"));
    }

    public string OutputDirectory { get; }
    public string CacheDirectory { get; }
    public string LockRecordPath { get; }
    public string StateDirectory => Path.Combine(OutputDirectory, ".repro");
    public string MemoPath => Path.Combine(StateDirectory, "file-hashes.json");
    public string LockRecordMutexPath => Path.Combine(StateDirectory, "lock-record.lock");

    public string StageDirectory(StageName stage) => Path.Combine(OutputDirectory, stage.Id);

    public string OutputPath(StageName stage, string file) => Path.Combine(StageDirectory(stage), file);

    /// <summary>A fresh folder on the outputs' file system, so finished files move into place by rename.</summary>
    public string CreateStagingDirectory(StageName stage)
    {
        string dir = Path.Combine(StateDirectory, "staging", $"{stage.Id}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
