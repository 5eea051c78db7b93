using System.Globalization;

namespace Repro.Runtime.Collectives;

/// <summary>
/// TEST-ONLY switch, so tests can prove that one rank's failure ends the whole job fast, with one
/// message and no output. <c>REPRO_TEST_FAIL_RANK=k</c> makes rank k throw at one point, chosen by
/// <c>REPRO_TEST_FAIL_AT</c>:
/// <list type="bullet">
/// <item><c>all-reduce</c> (default): when it enters its first sum all-reduce, where the other ranks
/// are already waiting: the failed rank must abort them;</item>
/// <item><c>batch</c>: when it asks for its first training batch, before the ranks agree that none
/// failed: the others learn of it through that agreement and must stay quiet.</item>
/// </list>
/// Not a user feature; nothing but tests should set these.
/// </summary>
public static class TestFailureInjection
{
    public const string RankVariable = "REPRO_TEST_FAIL_RANK";
    public const string PointVariable = "REPRO_TEST_FAIL_AT";

    /// <summary>Throws when the switch names <paramref name="rank"/> and the all-reduce point.</summary>
    public static void BeforeReduction(int rank)
    {
        if (Targets(rank, "all-reduce"))
            throw new InjectedFailureException($"injected test failure ({RankVariable}={rank}) before the all-reduce");
    }

    /// <summary><paramref name="batches"/>, failing on the first one when the switch names <paramref name="rank"/> and the batch point.</summary>
    public static IEnumerable<T> InBatches<T>(IEnumerable<T> batches, int rank)
    {
        return Targets(rank, "batch") ? FailingAtFirst<T>(rank) : batches;
    }

    // An iterator, so the throw happens at the first MoveNext; nothing is drawn from the real
    // batches, so no batch tensor is made and left undisposed.
    private static IEnumerable<T> FailingAtFirst<T>(int rank)
    {
        yield return Fail<T>($"injected test failure ({RankVariable}={rank}) in the batch loop");
    }

    private static T Fail<T>(string message) => throw new InjectedFailureException(message);

    private static bool Targets(int rank, string point)
    {
        string? target = Environment.GetEnvironmentVariable(RankVariable);
        if (target is null || target.Trim() != rank.ToString(CultureInfo.InvariantCulture))
            return false;
        string at = Environment.GetEnvironmentVariable(PointVariable) is { Length: > 0 } p ? p.Trim() : "all-reduce";
        return at == point;
    }
}

/// <summary>The failure <see cref="TestFailureInjection"/> raises, distinct from any real error.</summary>
public sealed class InjectedFailureException(string message) : Exception(message);
