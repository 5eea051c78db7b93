using System.Security.Cryptography;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Tests.Checkpoints;
using Repro.Runtime.Verification;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Verification;

public class RunVerificationTests
{
    /// <summary>A recorded run on disk: &lt;root&gt;/&lt;stage&gt;/&lt;file&gt; and &lt;root&gt;/repro.lock.json naming their hashes.</summary>
    private sealed class RecordedRun
    {
        private readonly JObject _stages = new();
        public RecordedRun(string root) { Root = root; Directory.CreateDirectory(root); }
        public string Root { get; }
        public string Lock => Path.Combine(Root, "repro.lock.json");

        public RecordedRun Stage(string id, string key, JObject parameters, params (string Name, Action<string> Write)[] files)
            => Stage(id, key, parameters, ranks: 1, files);

        public RecordedRun Stage(string id, string key, JObject parameters, int ranks, params (string Name, Action<string> Write)[] files)
        {
            var outputs = new JObject();
            foreach (var (name, write) in files)
            {
                string path = Path.Combine(Root, id, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                write(path);
                outputs[name] = new JObject { ["sha256"] = Sha(path), ["size"] = new FileInfo(path).Length };
                if (name.EndsWith(".json", StringComparison.Ordinal))
                    outputs[name]!["resultsSha256"] = Repro.Pipeline.Hashing.ResultsDigest.OfFile(path);
            }
            _stages[id] = new JObject
            {
                ["key"] = key, ["parameters"] = parameters, ["outputs"] = outputs, ["runtime"] = "repro 0.1.0",
                ["execution"] = new JObject { ["threads"] = 1, ["device"] = "cpu", ["ranks"] = ranks },
            };
            File.WriteAllText(Lock, new JObject { ["schema"] = 1, ["experiment"] = "t", ["stages"] = _stages }.ToString());
            return this;
        }

        public LockedRun Load() => LockedRun.Load(Lock, "--test");
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static Action<string> Model(float runningVar) => path =>
    {
        using var w = tensor(new float[] { 1, 2, 3 });
        using var v = tensor(new float[] { 1, runningVar });
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["conv.weight"] = w, ["bn.running_var"] = v });
    };

    private static Action<string> Report(double after, double seconds) =>
        path => File.WriteAllText(path, new JObject { ["accuracy"] = new JObject { ["after"] = after }, ["durationSeconds"] = seconds }.ToString());

    private static VerificationResult Verify(RecordedRun expected, RecordedRun actual, bool allowMissing = false, string[]? caches = null) =>
        RunVerification.Verify(expected.Load(), actual.Load(), new VerificationSources([expected.Root], caches ?? [], actual.Root), allowMissing);

    private static readonly JObject Params = new() { ["samples"] = 256 };

    [Fact]
    public void ARerunWithTheSameTensorsAndResultsReproduces()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("precise-bn", "k1", Params, ("model.safetensors", Model(2f)), ("report.json", Report(0.5, 1.0)));
        var actual = new RecordedRun(dir.File("a")).Stage("precise-bn", "k1", Params, ("model.safetensors", Model(2f)), ("report.json", Report(0.5, 7.0)));

        var result = Verify(expected, actual);

        Assert.True(result.Passed);
        var stage = Assert.Single(result.Stages);
        Assert.Null(stage.KeyChange);
        Assert.Equal(OutputMatch.Identical, stage.Outputs.Single(o => o.Name == "model.safetensors").Match);
        Assert.Equal(OutputMatch.SameResults, stage.Outputs.Single(o => o.Name == "report.json").Match);
    }

    [Fact]
    public void ADifferentTensorFailsAndIsNamedWithItsMaxAbsoluteDifference()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("train", "t", Params, ("model.safetensors", Model(2f)))
            .Stage("precise-bn", "k1", Params, ("model.safetensors", Model(2f)), ("report.json", Report(0.5, 1.0)));
        var actual = new RecordedRun(dir.File("a")).Stage("train", "t", Params, ("model.safetensors", Model(2f)))
            .Stage("precise-bn", "k1", Params, ("model.safetensors", Model(2.25f)), ("report.json", Report(0.4375, 1.0)));

        var result = Verify(expected, actual);

        Assert.False(result.Passed);
        var failing = Assert.Single(result.Failing);
        Assert.Equal("precise-bn", failing.Stage);
        var model = failing.Outputs.Single(o => o.Name == "model.safetensors");
        Assert.Equal(OutputMatch.Differs, model.Match);
        var t = Assert.Single(model.Tensors!.Tensors);
        Assert.Equal(("bn.running_var", 0.25, 1L), (t.Name, t.MaxAbsDifference!.Value, t.DifferingElements));
        var value = Assert.Single(failing.Outputs.Single(o => o.Name == "report.json").Values!);
        Assert.Equal("$.accuracy.after", value.Path);
        Assert.True(result.Stages.Single(s => s.Stage == "train").Reproduces);
    }

    [Fact]
    public void WithoutTheExpectedFileOnlyHashesAreComparedAndTheCacheIsSearched()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("train", "t", Params, ("model.safetensors", Model(2f)));
        var actual = new RecordedRun(dir.File("a")).Stage("train", "t", Params, ("model.safetensors", Model(3f)));
        // The recorded file is gone from the output folder but kept in a cache's object store.
        string file = Path.Combine(expected.Root, "train", "model.safetensors");
        string sha = Sha(file);
        string cache = dir.File("cache");
        Directory.CreateDirectory(Path.Combine(cache, "objects", sha[..2]));
        File.Move(file, Path.Combine(cache, "objects", sha[..2], sha));

        var hashOnly = Verify(expected, actual).Stages.Single().Outputs.Single();
        Assert.Equal(OutputMatch.Differs, hashOnly.Match);
        Assert.Null(hashOnly.Tensors);
        Assert.Contains("only hashes were compared", hashOnly.Note);

        var fromCache = Verify(expected, actual, caches: [cache]).Stages.Single().Outputs.Single();
        Assert.Equal(1.0, Assert.Single(fromCache.Tensors!.Tensors).MaxAbsDifference);
    }

    [Fact]
    public void WithoutTheExpectedReportItIsJudgedByTheRecordedResultsDigests()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("precise-bn", "k", Params, ("report.json", Report(0.5, 1.0)));
        var same = new RecordedRun(dir.File("a")).Stage("precise-bn", "k", Params, ("report.json", Report(0.5, 2.0)));
        var other = new RecordedRun(dir.File("b")).Stage("precise-bn", "k", Params, ("report.json", Report(0.25, 2.0)));
        File.Delete(Path.Combine(expected.Root, "precise-bn", "report.json"));

        var sameResults = Verify(expected, same);
        Assert.True(sameResults.Passed);
        Assert.Equal(OutputMatch.SameResults, sameResults.Stages.Single().Outputs.Single().Match);

        var otherResults = Verify(expected, other).Stages.Single().Outputs.Single();
        Assert.Equal(OutputMatch.Differs, otherResults.Match);
        Assert.StartsWith("results differ by the recorded results digest", otherResults.Note);
    }

    [Fact]
    public void AnExpectedFileEditedSinceTheRecordIsNotUsedForTheComparison()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("train", "t", Params, ("model.safetensors", Model(2f)));
        var actual = new RecordedRun(dir.File("a")).Stage("train", "t", Params, ("model.safetensors", Model(3f)));
        Model(5f)(Path.Combine(expected.Root, "train", "model.safetensors"));

        var output = Verify(expected, actual).Stages.Single().Outputs.Single();

        Assert.Equal(OutputMatch.Differs, output.Match);
        Assert.Null(output.Tensors);
    }

    [Fact]
    public void AStageRecordedOnOneSideFailsUnlessMissingStagesAreAllowed()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("train", "t", Params, ("model.safetensors", Model(2f)))
            .Stage("ema", "k", Params, ("model.safetensors", Model(2f)));
        var actual = new RecordedRun(dir.File("a")).Stage("train", "t", Params, ("model.safetensors", Model(2f)));

        var strict = Verify(expected, actual);
        Assert.False(strict.Passed);
        Assert.Equal("ema", Assert.Single(strict.Failing).Stage);

        Assert.True(Verify(expected, actual, allowMissing: true).Passed);
    }

    [Fact]
    public void AChangedKeyIsExplainedByItsParameters()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("precise-bn", "k1", new JObject { ["samples"] = 256, ["seed"] = 0 }, ("model.safetensors", Model(2f)));
        var actual = new RecordedRun(dir.File("a")).Stage("precise-bn", "k2", new JObject { ["samples"] = 128, ["seed"] = 0 }, ("model.safetensors", Model(2f)));

        var stage = Verify(expected, actual).Stages.Single();

        Assert.Equal("parameters samples 256 → 128", stage.KeyChange);
        Assert.True(stage.Reproduces);
    }

    [Fact]
    public void ADifferentWayOfRunningIsNamedBesideTheDifference()
    {
        using var dir = new TempDir();
        var expected = new RecordedRun(dir.File("e")).Stage("precise-bn", "k", Params, ranks: 1, ("model.safetensors", Model(2f)));
        var actual = new RecordedRun(dir.File("a")).Stage("precise-bn", "k", Params, ranks: 2, ("model.safetensors", Model(2.0000002f)));

        var stage = Verify(expected, actual).Stages.Single();

        Assert.False(stage.Reproduces);
        Assert.Null(stage.KeyChange);
        Assert.Equal("ranks 1 → 2", stage.ExecutionChange);
    }

    [Fact]
    public void ALockRecordThatIsNotOneIsBadInputNamingTheOption()
    {
        using var dir = new TempDir();
        string path = dir.Write("x.json", "{\"schema\":1}"u8.ToArray());

        var e = Assert.Throws<BadInputException>(() => LockedRun.Load(path, "--expected"));
        Assert.StartsWith($"--expected {path}: not a Repro lock record", e.Message);
        Assert.Throws<BadInputException>(() => LockedRun.Load(dir.File("none.json"), "--actual"));
    }
}
