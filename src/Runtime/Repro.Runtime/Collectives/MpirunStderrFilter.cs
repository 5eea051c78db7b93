using System.Text.RegularExpressions;

namespace Repro.Runtime.Collectives;

/// <summary>
/// Relays mpirun's stderr line by line, holding back Open MPI's own diagnostics until mpirun
/// exits: help banners (blocks framed by a rule of dashes, e.g. "MPI_ABORT was invoked on rank
/// 1…", 10-30 lines each) and runtime log lines prefixed "[host:pid]" (e.g. Open MPI 4.1's
/// occasional "ORTE_ERROR_LOG: Data unpack had inadequate space" while it aborts a job).
/// When a rank already said what went wrong in its own "repro: error: rank …" line, these only
/// repeat it and are dropped, so a failed job reads as one line. When no rank said anything
/// (a rank was killed, mpirun could not start a process), they are the only explanation and are
/// printed, followed by one summary line. When several ranks fail for the same cause (a missing
/// input file is missing for all), only the first rank's line is relayed.
/// </summary>
public sealed partial class MpirunStderrFilter(TextWriter output)
{
    /// <summary>The prefix every Repro error line starts with (see the CLI's CliErrors).</summary>
    public const string ErrorPrefix = "repro: error:";

    private readonly Lock _gate = new();
    private readonly List<string> _heldBanners = [];
    private readonly HashSet<string> _reportedCauses = new(StringComparer.Ordinal);
    private List<string>? _openBanner;

    /// <summary>Whether any rank printed a Repro error line.</summary>
    public bool RankReportedError { get; private set; }

    public void Line(string line)
    {
        lock (_gate)
        {
            if (_openBanner != null)
            {
                _openBanner.Add(line);
                if (IsRule(line))
                {
                    _heldBanners.AddRange(_openBanner);
                    _openBanner = null;
                }
                return;
            }
            if (IsRule(line))
            {
                _openBanner = [line];
                return;
            }
            if (RuntimeLogLine().IsMatch(line))
            {
                _heldBanners.Add(line);
                return;
            }
            if (line.StartsWith(ErrorPrefix, StringComparison.Ordinal))
            {
                RankReportedError = true;
                Match rankError = RankErrorLine().Match(line);
                if (rankError.Success && !_reportedCauses.Add(rankError.Groups["cause"].Value))
                    return;
            }
            output.WriteLine(line);
        }
    }

    /// <summary>Called once mpirun has exited.</summary>
    public void Complete(int exitCode, string commandLine)
    {
        lock (_gate)
        {
            if (_openBanner != null)
                _heldBanners.AddRange(_openBanner);
            _openBanner = null;
            if (RankReportedError)
                return;
            foreach (string line in _heldBanners)
                output.WriteLine(line);
            if (exitCode != 0)
                output.WriteLine($"{ErrorPrefix} mpirun exited with code {exitCode} and no rank reported an error (command: {commandLine})");
            output.Flush();
        }
    }

    [GeneratedRegex(@"^repro: error: rank \d+ of \d+: (?<cause>.*)$")]
    private static partial Regex RankErrorLine();

    // Open MPI's runtime prefixes its own log lines with "[host:pid]".
    [GeneratedRegex(@"^\[[^\]\s]+:\d+\] ")]
    private static partial Regex RuntimeLogLine();

    // Open MPI frames every help message with a line of 74 dashes.
    private static bool IsRule(string line) => line.Length >= 40 && line.AsSpan().Trim().IndexOfAnyExcept('-') < 0;
}
