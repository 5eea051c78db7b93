using Repro.Runtime.Training;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Training;

public class LabeledImagesTests
{
    [Fact]
    public void ALabelOutsideTheClassesIsBadInputNamingTheSampleAndTheSource()
    {
        var data = new LabeledImages("idx:x,y", zeros(3, 1, 2, 2), tensor(new long[] { 0, 10, 2 }));
        var e = Assert.Throws<BadInputException>(() => data.Validated(1, 10, "train"));
        Assert.Equal("train data idx:x,y: label 10 at sample 1 is outside [0, 10) (model.numClasses 10)", e.Message);
        var negative = new LabeledImages("s", zeros(2, 1, 2, 2), tensor(new long[] { 0, -1 }));
        Assert.Contains("label -1 at sample 1", Assert.Throws<BadInputException>(() => negative.Validated(1, 10, "test")).Message);
    }

    [Fact]
    public void ChannelsThatDisagreeWithTheModelAreBadInput()
    {
        var data = new LabeledImages("cifar10:test", zeros(2, 3, 2, 2), tensor(new long[] { 0, 1 }));
        var e = Assert.Throws<BadInputException>(() => data.Validated(1, 10, "test"));
        Assert.Equal("test data cifar10:test: images have 3 channel(s) but the model takes 1 (model.inChannels)", e.Message);
    }

    [Fact]
    public void ShapeAndTypeMismatchesAreBadInput()
    {
        Assert.Throws<BadInputException>(() => new LabeledImages("s", zeros(2, 2, 2), tensor(new long[] { 0, 1 })).Validated(1, 2, "train"));
        Assert.Throws<BadInputException>(() => new LabeledImages("s", zeros(2, 1, 2, 2), tensor(new long[] { 0 })).Validated(1, 2, "train"));
        Assert.Throws<BadInputException>(() => new LabeledImages("s", zeros(2, 1, 2, 2), tensor(new int[] { 0, 1 })).Validated(1, 2, "train"));
    }

    [Fact]
    public void GoodDataPasses()
    {
        var data = new LabeledImages("s", zeros(2, 1, 2, 2), tensor(new long[] { 0, 9 }));
        Assert.Same(data, data.Validated(1, 10, "train"));
    }
}
