using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Repro.Pipeline.Stages;

namespace Repro.Tasks;

/// <summary>The engine's log lines in the MSBuild log: status at high importance (visible at minimal verbosity), details at normal.</summary>
internal sealed class MSBuildPipelineLog : IPipelineLog
{
    private readonly TaskLoggingHelper _log;
    private readonly string _file;

    public MSBuildPipelineLog(TaskLoggingHelper log, string file)
    {
        _log = log;
        _file = file;
    }

    public void Status(string message) => _log.LogMessage(MessageImportance.High, "Repro: {0}", message);

    public void Detail(string message) => _log.LogMessage(MessageImportance.Normal, "Repro: {0}", message);

    public void Warning(string code, string message)
        => _log.LogWarning(null, code, null, _file, 0, 0, 0, 0, "{0}", message);
}
