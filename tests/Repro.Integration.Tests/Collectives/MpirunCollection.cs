namespace Repro.Integration.Tests.Collectives;

/// <summary>Tests that start mpirun run one at a time: several multi-rank jobs at once on a 2-core CI machine only slow each other down.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpirunCollection
{
    public const string Name = "mpirun";
}
