using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Collectives;

public class CollectiveFactoryTests
{
    [Fact]
    public void WithoutALauncherOneRankIsTheSingleProcessCollective()
    {
        Assert.Same(SingleProcessCollective.Instance, CollectiveFactory.Create(null, launch: null));
        Assert.Same(SingleProcessCollective.Instance, CollectiveFactory.Create(1, launch: null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void RanksBelowOneAreBadInput(int ranks)
    {
        var e = Assert.Throws<BadInputException>(() => CollectiveFactory.Create(ranks, launch: null));
        Assert.Equal($"--ranks {ranks}: must be at least 1", e.Message);
    }

    [Fact]
    public void SeveralRanksWithoutALauncherAreBadInput()
    {
        var e = Assert.Throws<BadInputException>(() => CollectiveFactory.Create(2, launch: null));
        Assert.Contains("mpirun -np 2", e.Message);
    }

    [Fact]
    public void RanksDisagreeingWithTheLauncherAreBadInputBeforeMpiIsTouched()
    {
        var e = Assert.Throws<BadInputException>(() => CollectiveFactory.Create(2, new MpiLaunch(0, 3, "mpirun (Open MPI)")));
        Assert.Equal("--ranks 2 does not match the 3 ranks mpirun (Open MPI) started", e.Message);
    }
}
