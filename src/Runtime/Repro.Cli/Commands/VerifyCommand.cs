using System.ComponentModel;
using Repro.Cli.Verification;
using Repro.Runtime.Verification;
using Spectre.Console.Cli;

namespace Repro.Cli.Commands;

/// <summary>
/// <c>repro verify --expected &lt;lock&gt; --actual &lt;lock&gt;</c>: did a rerun reproduce a recorded run?
/// Compares every stage's outputs by hash; where they differ, says which tensors (with their max
/// absolute difference) or which report values. Exit 0 reproduced, 1 differs, 2 bad input.
/// `dotnet cake --target=Verify` reruns an experiment in a fresh cache and calls this.
/// </summary>
public sealed class VerifyCommand : Command<VerifyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--expected <LOCK>")]
        [Description("The recorded run: a repro.lock.json (committed, or the last build's).")]
        public string? Expected { get; init; }

        [CommandOption("--actual <LOCK>")]
        [Description("The rerun's repro.lock.json.")]
        public string? Actual { get; init; }

        [CommandOption("--expected-dir <DIR>")]
        [Description("Output folder that may hold the recorded run's files (<DIR>/<stage>/<file>), used where a file's hash matches the record. Repeatable; default: the folder of --expected.")]
        public string[] ExpectedDirs { get; init; } = [];

        [CommandOption("--expected-cache <DIR>")]
        [Description("A Repro cache (ReproCacheDir) that may hold the recorded run's files. Repeatable.")]
        public string[] ExpectedCaches { get; init; } = [];

        [CommandOption("--actual-dir <DIR>")]
        [Description("The rerun's output folder; default: the folder of --actual.")]
        public string? ActualDir { get; init; }

        [CommandOption("--allow-missing")]
        [Description("A stage recorded on one side only is listed but does not fail the verification.")]
        public bool AllowMissing { get; init; }

        [CommandOption("--max-listed <N>")]
        [Description("List at most N differing tensors or values per output.")]
        [DefaultValue(10)]
        public int MaxListed { get; init; } = 10;

        public override Spectre.Console.ValidationResult Validate() => MaxListed < 1
            ? Spectre.Console.ValidationResult.Error("--max-listed must be at least 1")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var expected = LockedRun.Load(settings.Expected ?? throw new BadInputException("--expected is required (the recorded repro.lock.json)"), "--expected");
        var actual = LockedRun.Load(settings.Actual ?? throw new BadInputException("--actual is required (the rerun's repro.lock.json)"), "--actual");
        foreach (var dir in settings.ExpectedDirs.Concat(settings.ExpectedCaches).Append(settings.ActualDir).OfType<string>())
            if (!Directory.Exists(dir))
                throw new BadInputException($"{dir}: folder not found");
        var sources = new VerificationSources(
            settings.ExpectedDirs.Length > 0 ? settings.ExpectedDirs : [Path.GetDirectoryName(expected.Path)!],
            settings.ExpectedCaches,
            settings.ActualDir ?? Path.GetDirectoryName(actual.Path)!);

        var result = RunVerification.Verify(expected, actual, sources, settings.AllowMissing);
        Print(Console.Out, result, settings.MaxListed);
        return result.Passed ? CliErrors.Ok : CliErrors.Failure;
    }

    private static void Print(TextWriter o, VerificationResult result, int maxListed)
    {
        o.WriteLine($"expected: {result.ExpectedLock}");
        o.WriteLine($"actual:   {result.ActualLock}");
        foreach (var stage in result.Stages)
        {
            if (!stage.InExpected || !stage.InActual)
            {
                o.WriteLine($"{stage.Stage,-12} MISSING  only in the {(stage.InExpected ? "expected" : "actual")} record" + (result.AllowMissing ? " (allowed)" : ""));
                continue;
            }
            o.WriteLine($"{stage.Stage,-12} {(stage.Reproduces ? "ok" : "DIFFERS")}"
                + (stage.KeyChange is { } why ? $"  (key changed: {why})" : "")
                + (stage.ExecutionChange is { } how ? $"  (ran differently: {how})" : ""));
            foreach (var output in stage.Outputs)
            {
                string verdict = output.Match switch
                {
                    OutputMatch.Identical => "identical",
                    OutputMatch.SameResults => "same results",
                    OutputMatch.Missing => "MISSING",
                    _ => "DIFFERS",
                };
                string detail = output.Tensors is { } t ? DifferencePrinter.Summary(t)
                    : output.Values is { Count: > 0 } v ? $"{v.Count} values differ"
                    : output.Note ?? "";
                if (output.Tensors is not null && output.Note is not null)
                    detail += $"; {output.Note}";
                o.WriteLine($"  {output.Name,-24} {verdict,-12} {detail}".TrimEnd());
                if (output.Tensors is { } tensors)
                    DifferencePrinter.Tensors(o, tensors, maxListed, "    ");
                if (output.Match == OutputMatch.Differs && output.Values is { } values)
                    DifferencePrinter.Values(o, values, maxListed, "    ");
            }
        }
        var failing = result.Failing.ToList();
        if (failing.Count == 0)
            o.WriteLine($"reproduced: {result.Stages.Count(s => s.Reproduces)} stage(s) match the record");
        else
            o.WriteLine($"NOT reproduced: {string.Join(", ", failing.Select(s => s.Stage + Describe(s)))}");
    }

    private static string Describe(StageVerdict s) =>
        !s.InExpected || !s.InActual ? " (missing)"
        : " (" + string.Join(", ", s.Outputs.Where(o => o.Match is OutputMatch.Differs or OutputMatch.Missing).Select(o => o.Name)) + ")";
}
