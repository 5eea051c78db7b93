using System.Buffers.Binary;
using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Models;

namespace Repro.Integration.Tests.Checkpoints;

public class InfoCommandTests
{
    private static readonly ResNetConfig DefaultExperimentModel = new([1, 1, 1, 1], 16, ResNetStem.Small, 1, 10);

    private static long SaveModel(string path, ResNetConfig config)
    {
        using var model = new ResNet(config, seed: 0);
        ModelCheckpoint.Save(path, model, new Dictionary<string, string> { ["repro.stage"] = "train", ["repro.seed"] = "0" });
        return model.ParameterCount();
    }

    [Fact]
    public void PrintsConfigBatchNormsParametersAndMetadata()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("model.safetensors");
        long parameters = SaveModel(path, DefaultExperimentModel);

        var r = ReproProcess.Repro($"info \"{path}\"");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("""config      {"depths":[1,1,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":10}""", r.StdOut);
        Assert.Contains($"parameters  {parameters:N0}", r.StdOut);
        Assert.Contains("batchnorm   12 layers", r.StdOut);
        Assert.Matches(@"\n  bn1 +16\n  layer1\.0\.bn1 +16\n  layer1\.0\.bn2 +16\n  layer2\.0\.bn1 +32\n", r.StdOut);
        Assert.Matches(@"\n  layer4\.0\.downsample\.1 +128\n", r.StdOut);
        Assert.Contains("  repro.seed = 0\n", r.StdOut);
        Assert.Contains("  repro.stage = train\n", r.StdOut);
    }

    [Fact]
    public void JsonOutputIsMachineReadable()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("r18.safetensors");
        SaveModel(path, ResNetConfig.ResNet18());

        var r = ReproProcess.Repro($"info \"{path}\" --json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var o = JObject.Parse(r.StdOut);
        Assert.Equal(11_689_512L, (long)o["parameters"]!);
        Assert.Equal(122, (int)o["tensors"]!);
        Assert.Equal(64, (int)o["model"]!["width"]!);
        var bns = (JArray)o["batchNorms"]!;
        Assert.Equal(20, bns.Count);
        var last = (JObject)bns[^1]!;
        Assert.Equal(("layer4.1.bn2", 512), ((string)last["name"]!, (int)last["channels"]!));
        Assert.Equal("train", (string)o["metadata"]!["repro.stage"]!);
    }

    private static void AssertBadInput(ProcessResult r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        string err = r.StdErr.Trim();
        Assert.Single(err.Split('\n'));
        Assert.StartsWith("repro: error: ", err);
        foreach (var f in fragments)
            Assert.Contains(f, err);
        Assert.Equal("", r.StdOut.Trim());
    }

    [Fact]
    public void MissingFile()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("absent.safetensors");
        AssertBadInput(ReproProcess.Repro($"info \"{path}\""), path, "file not found");
    }

    [Fact]
    public void TruncatedCheckpoint()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("cut.safetensors");
        SaveModel(path, DefaultExperimentModel);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        AssertBadInput(ReproProcess.Repro($"info \"{path}\""), path, "run past the end of the data region");
    }

    [Fact]
    public void HeaderLengthLargerThanTheFile()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("long.safetensors");
        SaveModel(path, DefaultExperimentModel);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        File.WriteAllBytes(path, bytes);
        AssertBadInput(ReproProcess.Repro($"info \"{path}\""), path, "is larger than the file allows");
    }

    [Fact]
    public void NotASafetensorsFile()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("notes.safetensors");
        File.WriteAllText(path, "these are not the tensors you are looking for\n");
        AssertBadInput(ReproProcess.Repro($"info \"{path}\""), path, "header length");
    }

    [Fact]
    public void ConfigThatDisagreesWithTheTensors()
    {
        using var dir = ReproProcess.TempFolder();
        string path = dir.File("lying.safetensors");
        using (var model = new ResNet(DefaultExperimentModel, seed: 0))
        {
            var wrong = new ResNetConfig([1, 1, 1, 1], 16, ResNetStem.Small, 3, 10);
            SafetensorsWriter.Write(path, model.state_dict(), new Dictionary<string, string> { [ModelCheckpoint.ModelConfigKey] = wrong.ToJson() });
        }
        AssertBadInput(ReproProcess.Repro($"info \"{path}\""), path, "tensor 'conv1.weight' has shape [16,1,3,3]", "needs [16,3,3,3]");
    }

    [Fact]
    public void MissingArgument() => Assert.Equal(2, ReproProcess.Repro("info").ExitCode);
}
