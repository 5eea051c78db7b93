using Newtonsoft.Json.Linq;
using Repro.Runtime.Training;

namespace Repro.Runtime.Tests.Training;

public class TrainExperimentTests
{
    private static string Experiment(string name) => Path.Combine([RepoPaths.Root, .. name.Split('/')]);

    [Fact]
    public void TheDefaultExperimentIsFashionMnistOnTheSmallResNet()
    {
        TrainExperiment e = TrainExperiment.Load(Experiment("experiments/fashion-mnist-resnet/experiment.json"));
        Assert.Equal("fashion-mnist-resnet", e.Name);
        Assert.Equal(("fashion-mnist:train", "fashion-mnist:test"), (e.TrainData, e.TestData));
        Assert.Equal("""{"depths":[1,1,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":10}""", e.Model.ToJson());
    }

    [Fact]
    public void TheTinyExperimentTrainsOnSyntheticData()
    {
        TrainExperiment e = TrainExperiment.Load(Experiment("tests/experiments/tiny/experiment.json"));
        Assert.StartsWith("synthetic:", e.TrainData);
        Assert.Equal(Path.Combine(RepoPaths.Root, "tests", "experiments", "tiny"), e.Directory);
    }

    [Fact]
    public void ModelAndTrainErrorsNameTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"repro-exp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "experiment.json");
            JObject o = JObject.Parse(File.ReadAllText(Experiment("tests/experiments/tiny/experiment.json")));
            o["train"]!["batchSize"] = 0;
            File.WriteAllText(path, o.ToString());
            Assert.Equal($"{path}: train.batchSize must be at least 1 (got 0)", Assert.Throws<BadInputException>(() => TrainExperiment.Load(path)).Message);
            o["train"]!["batchSize"] = 8;
            o["model"]!["width"] = "wide";
            File.WriteAllText(path, o.ToString());
            Assert.StartsWith($"{path}: model.width:", Assert.Throws<BadInputException>(() => TrainExperiment.Load(path)).Message);
            Assert.Throws<BadInputException>(() => TrainExperiment.Load(Path.Combine(dir, "missing.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
