namespace Repro.Tasks;

/// <summary>
/// Every diagnostic the MSBuild layer raises. 10xx: inputs and setup; 11xx: a stage's command;
/// 12xx: cache and lock record (the engine's own codes, see Repro.Pipeline.Stages.EngineCodes).
/// README.md's "MSBuild" section lists them.
/// </summary>
internal static class ReproCodes
{
    public const string BadInput = "REPRO1001";
    public const string CliMissing = "REPRO1003";
    public const string UpstreamMissing = "REPRO1004";
    public const string CliVersionMismatch = "REPRO1005";
    public const string StageFailed = "REPRO1101";
    public const string StageBadInput = "REPRO1102";
    public const string StageOutputsMissing = "REPRO1103";
    public const string CliWarning = "REPRO1150";
    public const string CacheLockTimeout = "REPRO1201";
    public const string CacheIo = "REPRO1205";
    public const string BuildSummaryIo = "REPRO1206";
}
