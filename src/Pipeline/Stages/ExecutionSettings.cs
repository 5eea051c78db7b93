namespace Repro.Pipeline.Stages;

/// <summary>
/// How a stage runs, as opposed to what it computes: recorded in the lock record, and only the
/// device kind (cpu/cuda) enters the key. Threads and ranks change the order of floating-point
/// reductions, not the algorithm; the runtime's tests hold N ranks equal to 1 rank.
/// </summary>
public sealed record ExecutionSettings(int Threads, string Device, int Ranks);
