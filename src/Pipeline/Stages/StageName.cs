namespace Repro.Pipeline.Stages;

/// <summary>The four stages, in pipeline order. Id is the CLI command and the lock-record key; Target is the MSBuild/Cake target.</summary>
public sealed class StageName
{
    public static readonly StageName Train = new("train", "Train", 0);
    public static readonly StageName PreciseBn = new("precise-bn", "Recalibrate", 1);
    public static readonly StageName Checkpoint = new("checkpoint", "Checkpoint", 2);
    public static readonly StageName Ema = new("ema", "Ema", 3);

    public static IReadOnlyList<StageName> All { get; } = new[] { Train, PreciseBn, Checkpoint, Ema };

    private StageName(string id, string target, int order)
    {
        Id = id;
        Target = target;
        Order = order;
    }

    public string Id { get; }
    public string Target { get; }
    public int Order { get; }

    /// <summary>Accepts the id (precise-bn), the target (Recalibrate) or the alias PreciseBn, in any case.</summary>
    public static StageName Parse(string value)
    {
        string v = value.Trim();
        foreach (var s in All)
            if (string.Equals(v, s.Id, StringComparison.OrdinalIgnoreCase) || string.Equals(v, s.Target, StringComparison.OrdinalIgnoreCase))
                return s;
        if (string.Equals(v, "PreciseBn", StringComparison.OrdinalIgnoreCase))
            return PreciseBn;
        throw new BadInputException($"Stage '{value}': unknown stage; use train, precise-bn, checkpoint or ema.");
    }

    public override string ToString() => Target;
}
