using System.Security.Cryptography;
using Repro.Runtime.Checkpoints;

namespace Repro.Runtime.Verification;

/// <summary>Where the files of each side live.</summary>
/// <param name="ExpectedOutputDirectories">Output folders (&lt;dir&gt;/&lt;stage&gt;/&lt;file&gt;) that may hold the expected files; used only where a file's hash matches the record.</param>
/// <param name="ExpectedCacheDirectories">Repro caches, whose objects/ are addressed by SHA-256, so any file of the expected run that was stored can be found.</param>
/// <param name="ActualOutputDirectory">The rerun's output folder.</param>
public sealed record VerificationSources(
    IReadOnlyList<string> ExpectedOutputDirectories,
    IReadOnlyList<string> ExpectedCacheDirectories,
    string ActualOutputDirectory);

/// <summary>
/// Checks that a rerun reproduced a recorded run: every stage of the expected lock record against
/// the same stage of the actual one, output by output. Equal hashes settle it. Otherwise the file
/// is compared by content where the expected file can still be found (in an output folder or a
/// cache): safetensors tensor by tensor with the max absolute difference, JSON reports as results
/// (<see cref="JsonOutputDiff"/>); other formats, and files that cannot be found, by hash only.
/// </summary>
public static class RunVerification
{
    public static VerificationResult Verify(LockedRun expected, LockedRun actual, VerificationSources sources, bool allowMissing)
    {
        var ids = expected.Stages.Select(s => s.Id).Concat(actual.Stages.Select(s => s.Id)).Distinct().ToList();
        var verdicts = new List<StageVerdict>();
        foreach (string id in ids)
        {
            var e = expected.Stage(id);
            var a = actual.Stage(id);
            if (e is null || a is null)
            {
                verdicts.Add(new StageVerdict(id, e is not null, a is not null, null, []));
                continue;
            }
            verdicts.Add(new StageVerdict(id, true, true, KeyChange.Describe(e.Entry, a.Entry), CompareOutputs(e, a, sources))
            {
                ExecutionChange = KeyChange.DescribeExecution(e.Entry, a.Entry),
            });
        }
        return new VerificationResult(expected.Path, actual.Path, verdicts, allowMissing);
    }

    private static List<OutputVerdict> CompareOutputs(LockedStage e, LockedStage a, VerificationSources sources)
    {
        var result = new List<OutputVerdict>();
        foreach (string name in e.Outputs.Select(o => o.Name).Union(a.Outputs.Select(o => o.Name)).OrderBy(n => n, StringComparer.Ordinal))
        {
            var eo = e.Outputs.FirstOrDefault(o => o.Name == name);
            var ao = a.Outputs.FirstOrDefault(o => o.Name == name);
            if (eo is null || ao is null)
            {
                result.Add(new OutputVerdict(e.Id, name, OutputMatch.Missing, eo?.Sha256, ao?.Sha256)
                {
                    Note = eo is null ? "not in the expected record" : "not in the actual record",
                });
                continue;
            }
            if (eo.Sha256 == ao.Sha256)
            {
                result.Add(new OutputVerdict(e.Id, name, OutputMatch.Identical, eo.Sha256, ao.Sha256));
                continue;
            }
            result.Add(CompareContent(e.Id, eo, ao, sources));
        }
        return result;
    }

    private static OutputVerdict CompareContent(string stage, LockedOutput eo, LockedOutput ao, VerificationSources sources)
    {
        var differs = new OutputVerdict(stage, eo.Name, OutputMatch.Differs, eo.Sha256, ao.Sha256);
        string actualPath = Path.Combine(sources.ActualOutputDirectory, stage, eo.Name);
        if (!File.Exists(actualPath) || Sha256Of(actualPath) != ao.Sha256)
            return ByRecordOnly(differs, eo, ao, $"the rerun's file {actualPath} is gone or changed since");
        string? expectedPath = FindExpected(stage, eo, sources);
        if (expectedPath is null)
            return ByRecordOnly(differs, eo, ao, "the expected file is in none of the given output folders or caches (pass its cache with --expected-cache)");

        string extension = Path.GetExtension(eo.Name);
        if (extension.Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            var tensors = SafetensorsDiff.Compare(expectedPath, actualPath);
            return differs with
            {
                Tensors = tensors,
                Note = tensors.Identical ? "same tensors and metadata, different bytes (tensor order or header layout)" : null,
            };
        }
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            var values = JsonOutputDiff.Compare(expectedPath, actualPath);
            return values.Count == 0
                ? differs with { Match = OutputMatch.SameResults, Values = values, Note = "differs only in timings and paths" }
                : differs with { Values = values };
        }
        return differs with { Note = $"hashes differ; {extension} files are compared by hash only" };
    }

    /// <summary>Without both files, a report can still be judged by the results digests both records carry.</summary>
    private static OutputVerdict ByRecordOnly(OutputVerdict differs, LockedOutput eo, LockedOutput ao, string why)
    {
        if (eo.ResultsSha256 is null || ao.ResultsSha256 is null)
            return differs with { Note = $"hashes differ; {why}, so only hashes were compared" };
        return eo.ResultsSha256 == ao.ResultsSha256
            ? differs with { Match = OutputMatch.SameResults, Note = "by the recorded results digest; the bytes differ only in timings and paths" }
            : differs with { Note = $"results differ by the recorded results digest; {why}, so the differing values cannot be listed" };
    }

    private static string? FindExpected(string stage, LockedOutput output, VerificationSources sources)
    {
        foreach (string dir in sources.ExpectedOutputDirectories)
        {
            string candidate = Path.Combine(dir, stage, output.Name);
            if (File.Exists(candidate) && new FileInfo(candidate).Length == output.Size && Sha256Of(candidate) == output.Sha256)
                return candidate;
        }
        foreach (string cache in sources.ExpectedCacheDirectories)
        {
            // The cache's object store: objects/<first two hex digits>/<sha256>.
            string candidate = Path.Combine(cache, "objects", output.Sha256[..2], output.Sha256);
            if (File.Exists(candidate) && Sha256Of(candidate) == output.Sha256)
                return candidate;
        }
        return null;
    }

    internal static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
