using Newtonsoft.Json.Linq;
using Repro.Runtime.Models;

namespace Repro.Runtime.Tests.Models;

public class ResNetConfigTests
{
    private const string Origin = "exp.json";

    private static ResNetConfig Parse(string json) => ResNetConfig.Parse(json, Origin);

    [Fact]
    public void TheDefaultExperimentsModelSectionParses()
    {
        string path = Path.Combine(RepoRoot(), "experiments", "fashion-mnist-resnet", "experiment.json");
        var model = JObject.Parse(File.ReadAllText(path))["model"]!;
        var config = ResNetConfig.FromJson(model, path);
        Assert.Equal(new[] { 1, 1, 1, 1 }, config.Depths);
        Assert.Equal(16, config.Width);
        Assert.Equal(ResNetStem.Small, config.Stem);
        Assert.Equal(1, config.InChannels);
        Assert.Equal(10, config.NumClasses);
        Assert.Equal(new[] { 16, 32, 64, 128 }, Enumerable.Range(0, 4).Select(config.StageChannels));
    }

    [Fact]
    public void JsonIsCanonicalAndRoundTrips()
    {
        var config = ResNetConfig.ResNet18();
        Assert.Equal("""{"depths":[2,2,2,2],"width":64,"stem":"imagenet","inChannels":3,"numClasses":1000}""", config.ToJson());
        Assert.Equal(config, Parse(config.ToJson()));
        Assert.Equal(config, Parse("""{ "numClasses": 1000, "stem": "imagenet", "width": 64, "inChannels": 3, "depths": [2, 2, 2, 2] }"""));
        Assert.NotEqual(config, ResNetConfig.ResNet34());
    }

    [Theory]
    [InlineData("""{"depths":[1,1,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":10,"dropout":0.1}""", "model.dropout: unknown key")]
    [InlineData("""{"depths":[1,1,1,1],"stem":"small","inChannels":1,"numClasses":10}""", "model.width: missing")]
    [InlineData("""{"depths":[1,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":10}""", "model.depths: must be an array of 4")]
    [InlineData("""{"depths":[1,0,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":10}""", "model.depths[1]: must be an integer in [1,")]
    [InlineData("""{"depths":[1,1,1,1],"width":-16,"stem":"small","inChannels":1,"numClasses":10}""", "model.width: must be an integer in [1,")]
    [InlineData("""{"depths":[1,1,1,1],"width":16.5,"stem":"small","inChannels":1,"numClasses":10}""", "model.width: must be a positive integer, got 16.5")]
    [InlineData("""{"depths":[1,1,1,1],"width":"16","stem":"small","inChannels":1,"numClasses":10}""", "model.width: must be a positive integer")]
    [InlineData("""{"depths":[1,1,1,1],"width":16,"stem":"cifar","inChannels":1,"numClasses":10}""", "model.stem: must be \"imagenet\" or \"small\", got \"cifar\"")]
    [InlineData("""{"depths":[1,1,1,1],"width":16,"stem":"small","inChannels":0,"numClasses":10}""", "model.inChannels: must be an integer in [1,")]
    [InlineData("""{"depths":[1,1,1,1],"width":16,"stem":"small","inChannels":1,"numClasses":99999999999999999999}""", "model.numClasses: must be an integer in [1,")]
    [InlineData("""{"depths":[1,1,1,1],"width":16,"width":8,"stem":"small","inChannels":1,"numClasses":10}""", "model is not valid JSON")]
    [InlineData("""[1,1,1,1]""", "model: must be a JSON object")]
    [InlineData("""{"depths":[1,1,1,1]""", "model is not valid JSON")]
    public void BadConfigsAreOneLineErrorsNamingTheFileAndKey(string json, string cause)
    {
        var e = Assert.Throws<BadInputException>(() => Parse(json));
        Assert.StartsWith($"{Origin}: ", e.Message);
        Assert.Contains(cause, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Repro.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repro.sln not found");
    }
}
