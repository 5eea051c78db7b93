using Repro.Runtime.Training;

namespace Repro.Runtime.Tests.Training;

public class LearningRateScheduleTests
{
    private static TrainConfig Config(LrScheduleKind kind, double warmup = 0, params double[] milestones) =>
        new() { Epochs = 4, BatchSize = 1, Lr = 0.4, Schedule = kind, WarmupEpochs = warmup, Milestones = milestones, Gamma = 0.5 };

    [Fact]
    public void WarmupRisesLinearlyToThePeak()
    {
        var s = new LearningRateSchedule(Config(LrScheduleKind.Constant, warmup: 0.5), stepsPerEpoch: 8);
        Assert.Equal(4, s.WarmupSteps);
        Assert.Equal(new[] { 0.1, 0.2, 0.3, 0.4, 0.4 }, Enumerable.Range(0, 5).Select(t => Math.Round(s.At(t), 12)));
    }

    [Fact]
    public void CosineStartsAtThePeakAndPassesHalfWayAtTheMiddle()
    {
        var s = new LearningRateSchedule(Config(LrScheduleKind.Cosine, warmup: 1), stepsPerEpoch: 10);
        // W = 10, T = 40: after warm-up, progress (t − 10)/30.
        Assert.Equal(0.4, s.At(10), 15);
        Assert.Equal(0.2, s.At(25), 15);
        Assert.Equal(0.4 * 0.5 * (1 + Math.Cos(Math.PI * 29 / 30)), s.At(39), 15);
        Assert.True(s.At(39) > 0);
    }

    [Fact]
    public void StepMultipliesByGammaAtEachMilestone()
    {
        var s = new LearningRateSchedule(Config(LrScheduleKind.Step, 0, 1.5, 3), stepsPerEpoch: 4);
        Assert.Equal(0.4, s.At(5));   // epoch 1.25
        Assert.Equal(0.2, s.At(6));   // epoch 1.5
        Assert.Equal(0.2, s.At(11));  // epoch 2.75
        Assert.Equal(0.1, s.At(12));  // epoch 3
    }

    [Fact]
    public void TotalsFollowTheConfig()
    {
        var s = new LearningRateSchedule(Config(LrScheduleKind.Cosine), stepsPerEpoch: 7);
        Assert.Equal(28, s.TotalSteps);
        Assert.Equal(0, s.WarmupSteps);
    }
}
