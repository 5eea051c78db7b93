using Repro.Runtime.Collectives;

namespace Repro.Runtime.Tests.Collectives;

public class MpiLaunchTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Name, v => v.Value);
        return name => d.GetValueOrDefault(name);
    }

    [Fact]
    public void NoLauncherVariablesMeansASingleProcess()
    {
        Assert.Null(MpiLaunch.Detect(Env(("PATH", "/usr/bin"))));
    }

    [Fact]
    public void OpenMpiMpirunGivesRankAndSize()
    {
        var launch = MpiLaunch.Detect(Env(("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_SIZE", "3"), ("PMIX_RANK", "2")));
        Assert.Equal(new MpiLaunch(2, 3, "mpirun (Open MPI)"), launch);
    }

    [Fact]
    public void SrunWithPmixTakesTheStepsTaskCount()
    {
        var launch = MpiLaunch.Detect(Env(("PMIX_RANK", "1"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", "4"), ("SLURM_NTASKS", "8"), ("SLURM_PROCID", "1")));
        Assert.Equal(new MpiLaunch(1, 4, "srun (PMIx)"), launch);
    }

    [Fact]
    public void ABatchScriptWithoutSrunStaysSingleProcess()
    {
        // sbatch sets SLURM_PROCID and SLURM_NTASKS for the script itself; only srun starts ranks.
        Assert.Null(MpiLaunch.Detect(Env(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "8"), ("SLURM_JOB_ID", "42"))));
    }

    [Fact]
    public void PmiLauncherGivesPmiSize()
    {
        Assert.Equal(new MpiLaunch(0, 2, "a PMI launcher"), MpiLaunch.Detect(Env(("PMI_RANK", "0"), ("PMI_SIZE", "2"))));
    }

    [Fact]
    public void MalformedRankIsBadInputNamingTheVariable()
    {
        var e = Assert.Throws<BadInputException>(() => MpiLaunch.Detect(Env(("OMPI_COMM_WORLD_RANK", "one"))));
        Assert.Contains("OMPI_COMM_WORLD_RANK='one'", e.Message);
    }

    [Fact]
    public void RankOutsideTheWorldIsBadInput()
    {
        var e = Assert.Throws<BadInputException>(() => MpiLaunch.Detect(Env(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "3"))));
        Assert.Contains("rank 3 of 3", e.Message);
    }
}
