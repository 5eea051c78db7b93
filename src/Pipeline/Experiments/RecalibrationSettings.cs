using System.Globalization;
using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Experiments;

/// <summary>A preciseBn or ema section after overrides: what `repro precise-bn` / `repro ema` are run with.</summary>
public sealed record RecalibrationSettings(int Samples, int BatchSize, string Order, int Seed, string Estimator)
{
    private static readonly string[] Keys = { "samples", "batchSize", "order", "seed", "estimator" };

    public static RecalibrationSettings From(ExperimentDefinition experiment, JObject section, string sectionName, PipelineOverrides overrides)
    {
        foreach (var p in section.Properties())
            if (Array.IndexOf(Keys, p.Name) < 0)
                throw experiment.Bad(p, $"unknown key '{sectionName}.{p.Name}' (use {string.Join(", ", Keys)})");

        int samples = overrides.NumSamples ?? Int(experiment, section, sectionName, "samples", 1);
        int batch = overrides.BatchSize ?? Int(experiment, section, sectionName, "batchSize", 1);
        string order = Str(experiment, section, sectionName, "order");
        if (order is not ("sequential" or "shuffle"))
            throw experiment.Bad(section["order"]!, $"'{sectionName}.order' must be sequential or shuffle, not '{order}'");
        int seed = overrides.Seed ?? Int(experiment, section, sectionName, "seed", 0);
        string estimator = overrides.Estimator ?? Str(experiment, section, sectionName, "estimator");
        if (overrides.Estimator is null && Array.IndexOf(Estimators.All, estimator) < 0)
            throw experiment.Bad(section["estimator"]!, $"'{sectionName}.estimator' must be {string.Join(" or ", Estimators.All)}, not '{estimator}'");
        return new RecalibrationSettings(samples, batch, order, seed, estimator);
    }

    /// <summary>
    /// The parameters that decide the result. The seed only drives the shuffle, so with sequential
    /// order it is left out: changing it cannot change the statistics and must not rerun the stage.
    /// </summary>
    public JObject ToKeyParameters()
    {
        var o = new JObject
        {
            ["samples"] = Samples,
            ["batchSize"] = BatchSize,
            ["order"] = Order,
            ["estimator"] = Estimator,
        };
        if (Order == "shuffle")
            o["seed"] = Seed;
        return o;
    }

    private static int Int(ExperimentDefinition e, JObject section, string sectionName, string key, int min)
    {
        var t = section[key] ?? throw new BadInputException($"{e.FilePath}: '{sectionName}.{key}' is missing.");
        if (t.Type != JTokenType.Integer || (long)t < min || (long)t > int.MaxValue)
            throw e.Bad(t, $"'{sectionName}.{key}' must be an integer of at least {min.ToString(CultureInfo.InvariantCulture)}");
        return (int)t;
    }

    private static string Str(ExperimentDefinition e, JObject section, string sectionName, string key)
    {
        var t = section[key] ?? throw new BadInputException($"{e.FilePath}: '{sectionName}.{key}' is missing.");
        return t.Type == JTokenType.String ? (string)t! : throw e.Bad(t, $"'{sectionName}.{key}' must be a string");
    }
}
