using Newtonsoft.Json.Linq;
using Repro.Runtime.Models;

namespace Repro.Runtime.Training;

/// <summary>
/// The parts of an experiment file that training reads: the data specs, the model and the train
/// section, each parsed strictly. Relative data paths resolve against <see cref="Directory"/>.
/// </summary>
public sealed record TrainExperiment(string Path, string Name, string Directory, string TrainData, string? TestData, ResNetConfig Model, TrainConfig Train)
{
    private static readonly string[] TopLevelKeys = { "name", "description", "data", "model", "train", "preciseBn", "ema" };
    private static readonly string[] DataKeys = { "train", "test" };

    public static TrainExperiment Load(string path)
    {
        JObject root = ExperimentJson.Load(path);
        TrainConfigJson.CheckKeys(root, TopLevelKeys, "experiment", path);
        if (root["data"] is not JObject data)
            throw new BadInputException($"{path}: data must be an object with train (and optionally test) data specs");
        TrainConfigJson.CheckKeys(data, DataKeys, "data", path);
        string trainData = Spec(data, "train", path) ?? throw new BadInputException($"{path}: data.train is required");
        string? testData = Spec(data, "test", path);
        ResNetConfig model = ResNetConfig.FromJson(root["model"] ?? throw new BadInputException($"{path}: model is required"), path);
        TrainConfig train = TrainConfigJson.Parse(root["train"], path);
        string full = System.IO.Path.GetFullPath(path);
        string dir = System.IO.Path.GetDirectoryName(full)!;
        string name = root["name"]?.Type == JTokenType.String ? (string)root["name"]! : System.IO.Path.GetFileName(dir);
        return new TrainExperiment(full, name, dir, trainData, testData, model, train);
    }

    private static string? Spec(JObject data, string key, string path)
    {
        JToken? t = data[key];
        if (t is null) return null;
        if (t.Type != JTokenType.String || string.IsNullOrWhiteSpace((string?)t))
            throw new BadInputException($"{path}: data.{key} must be a data-source spec string");
        return (string)t!;
    }
}
