namespace Repro.Runtime.Collectives;

/// <summary>
/// TEST-ONLY switch: <c>REPRO_TEST_FAIL_RANK=k</c> makes rank k throw when it enters its first sum
/// all-reduce. The other ranks are then already waiting inside that all-reduce, the hardest case
/// for shutting a job down, so tests can prove that one rank's failure ends the whole job fast,
/// with one message and no output. Not a user feature; nothing but tests should set it.
/// </summary>
public static class TestFailureInjection
{
    public const string Variable = "REPRO_TEST_FAIL_RANK";

    /// <summary>Throws when <see cref="Variable"/> names <paramref name="rank"/>.</summary>
    public static void BeforeReduction(int rank)
    {
        string? target = Environment.GetEnvironmentVariable(Variable);
        if (target != null && target.Trim() == rank.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InjectedFailureException($"injected test failure ({Variable}={rank}) before the all-reduce");
    }
}

/// <summary>The failure <see cref="TestFailureInjection"/> raises, distinct from any real error.</summary>
public sealed class InjectedFailureException(string message) : Exception(message);
