using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Training;

/// <summary>
/// Strict reading of an experiment's <c>train</c> section, and its canonical form. Unknown keys, wrong
/// types and values out of range are bad input, so a typo never silently falls back to a default.
/// </summary>
public static class TrainConfigJson
{
    private static readonly string[] TrainKeys =
    {
        "epochs", "batchSize", "lr", "momentum", "nesterov", "weightDecay", "decayBnAndBias", "schedule",
        "milestones", "gamma", "warmupEpochs", "labelSmoothing", "augment", "seed", "threads", "evalBatchSize", "ema",
    };
    private static readonly string[] AugmentKeys = { "randomCropPadding", "horizontalFlip" };
    private static readonly string[] EmaKeys = { "decay", "interval", "warmupSteps", "buffers" };
    private static readonly string[] Required = { "epochs", "batchSize", "lr" };

    /// <summary>Reads the <c>train</c> object; <paramref name="where"/> (the experiment file) prefixes every error.</summary>
    public static TrainConfig Parse(JToken? section, string where)
    {
        if (section is not JObject o)
            throw new BadInputException($"{where}: train must be an object");
        CheckKeys(o, TrainKeys, "train", where);
        foreach (string key in Required)
            if (o[key] == null) throw new BadInputException($"{where}: train.{key} is required");

        var defaults = new TrainConfig();
        var config = new TrainConfig
        {
            Epochs = Int(o, "epochs", "train", where, 0),
            BatchSize = Int(o, "batchSize", "train", where, 0),
            Lr = Number(o, "lr", "train", where, 0),
            Momentum = Number(o, "momentum", "train", where, defaults.Momentum),
            Nesterov = Bool(o, "nesterov", "train", where, defaults.Nesterov),
            WeightDecay = Number(o, "weightDecay", "train", where, defaults.WeightDecay),
            DecayBnAndBias = Bool(o, "decayBnAndBias", "train", where, defaults.DecayBnAndBias),
            Schedule = Enum(o, "schedule", "train", where, defaults.Schedule),
            Milestones = Numbers(o, "milestones", "train", where),
            Gamma = Number(o, "gamma", "train", where, defaults.Gamma),
            WarmupEpochs = Number(o, "warmupEpochs", "train", where, defaults.WarmupEpochs),
            LabelSmoothing = Number(o, "labelSmoothing", "train", where, defaults.LabelSmoothing),
            Augment = ParseAugment(o["augment"], where),
            Seed = Long(o, "seed", "train", where, defaults.Seed),
            Threads = Int(o, "threads", "train", where, defaults.Threads),
            EvalBatchSize = Int(o, "evalBatchSize", "train", where, defaults.EvalBatchSize),
            Ema = ParseEma(o["ema"], where),
        };
        return config.Validated(where);
    }

    /// <summary>
    /// Every field with its value (defaults filled in), keys sorted, numbers in round-trip form: two configs
    /// that train the same bits have the same text. <paramref name="includeExecution"/> false leaves out the
    /// thread count and the eval batch size, which a resumed run may change.
    /// </summary>
    public static JObject ToCanonicalJson(TrainConfig c, bool includeExecution = true)
    {
        var o = new JObject
        {
            ["augment"] = new JObject
            {
                ["horizontalFlip"] = c.Augment.HorizontalFlip,
                ["randomCropPadding"] = c.Augment.RandomCropPadding,
            },
            ["batchSize"] = c.BatchSize,
            ["decayBnAndBias"] = c.DecayBnAndBias,
            ["ema"] = new JObject
            {
                ["buffers"] = c.Ema.Buffers.ToString().ToLowerInvariant(),
                ["decay"] = c.Ema.Decay,
                ["interval"] = c.Ema.Interval,
                ["warmupSteps"] = c.Ema.WarmupSteps,
            },
            ["epochs"] = c.Epochs,
        };
        if (includeExecution) o["evalBatchSize"] = c.EvalBatchSize;
        o["gamma"] = c.Gamma;
        o["labelSmoothing"] = c.LabelSmoothing;
        o["lr"] = c.Lr;
        o["milestones"] = new JArray(c.Milestones.Select(m => (object)m).ToArray());
        o["momentum"] = c.Momentum;
        o["nesterov"] = c.Nesterov;
        o["schedule"] = c.Schedule.ToString().ToLowerInvariant();
        o["seed"] = c.Seed;
        if (includeExecution) o["threads"] = c.Threads;
        o["warmupEpochs"] = c.WarmupEpochs;
        o["weightDecay"] = c.WeightDecay;
        return o;
    }

    /// <summary>One-line canonical text (invariant culture, round-trip doubles).</summary>
    public static string ToCanonicalString(JToken token)
    {
        using var sw = new StringWriter(CultureInfo.InvariantCulture);
        using (var w = new JsonTextWriter(sw) { Formatting = Formatting.None, FloatFormatHandling = FloatFormatHandling.String, Culture = CultureInfo.InvariantCulture })
            token.WriteTo(w);
        return sw.ToString();
    }

    private static AugmentConfig ParseAugment(JToken? t, string where)
    {
        if (t == null) return new AugmentConfig();
        if (t is not JObject o) throw new BadInputException($"{where}: train.augment must be an object");
        CheckKeys(o, AugmentKeys, "train.augment", where);
        var d = new AugmentConfig();
        return new AugmentConfig(
            Int(o, "randomCropPadding", "train.augment", where, d.RandomCropPadding),
            Bool(o, "horizontalFlip", "train.augment", where, d.HorizontalFlip));
    }

    private static EmaConfig ParseEma(JToken? t, string where)
    {
        if (t == null) return new EmaConfig();
        if (t is not JObject o) throw new BadInputException($"{where}: train.ema must be an object");
        CheckKeys(o, EmaKeys, "train.ema", where);
        var d = new EmaConfig();
        return new EmaConfig(
            Number(o, "decay", "train.ema", where, d.Decay),
            Int(o, "interval", "train.ema", where, d.Interval),
            Number(o, "warmupSteps", "train.ema", where, d.WarmupSteps),
            Enum(o, "buffers", "train.ema", where, d.Buffers));
    }

    private static void CheckKeys(JObject o, string[] known, string path, string where)
    {
        foreach (JProperty p in o.Properties())
            if (Array.IndexOf(known, p.Name) < 0)
                throw new BadInputException($"{where}: {path}.{p.Name} is not a known key (known: {string.Join(", ", known)})");
    }

    private static JToken? Value(JObject o, string key, string path, string where)
    {
        JToken? t = o[key];
        if (t != null && t.Type == JTokenType.Null)
            throw new BadInputException($"{where}: {path}.{key} must not be null");
        return t;
    }

    private static double Number(JObject o, string key, string path, string where, double fallback)
    {
        JToken? t = Value(o, key, path, where);
        if (t == null) return fallback;
        if (t.Type is not (JTokenType.Integer or JTokenType.Float))
            throw new BadInputException($"{where}: {path}.{key} must be a number (got {t.Type.ToString().ToLowerInvariant()} {t.ToString(Formatting.None)})");
        double v = t.Value<double>();
        if (!double.IsFinite(v)) throw new BadInputException($"{where}: {path}.{key} must be finite");
        return v;
    }

    private static long Long(JObject o, string key, string path, string where, long fallback)
    {
        JToken? t = Value(o, key, path, where);
        if (t == null) return fallback;
        if (t.Type != JTokenType.Integer)
            throw new BadInputException($"{where}: {path}.{key} must be an integer (got {t.ToString(Formatting.None)})");
        try { return t.Value<long>(); }
        catch (OverflowException) { throw new BadInputException($"{where}: {path}.{key} is out of range (got {t.ToString(Formatting.None)})"); }
    }

    private static int Int(JObject o, string key, string path, string where, int fallback)
    {
        long v = Long(o, key, path, where, fallback);
        if (v < int.MinValue || v > int.MaxValue)
            throw new BadInputException($"{where}: {path}.{key} is out of range (got {v})");
        return (int)v;
    }

    private static bool Bool(JObject o, string key, string path, string where, bool fallback)
    {
        JToken? t = Value(o, key, path, where);
        if (t == null) return fallback;
        if (t.Type != JTokenType.Boolean)
            throw new BadInputException($"{where}: {path}.{key} must be true or false (got {t.ToString(Formatting.None)})");
        return t.Value<bool>();
    }

    private static IReadOnlyList<double> Numbers(JObject o, string key, string path, string where)
    {
        JToken? t = Value(o, key, path, where);
        if (t == null) return Array.Empty<double>();
        if (t is not JArray a || a.Any(x => x.Type is not (JTokenType.Integer or JTokenType.Float)))
            throw new BadInputException($"{where}: {path}.{key} must be an array of numbers (got {t.ToString(Formatting.None)})");
        return a.Select(x => x.Value<double>()).ToArray();
    }

    private static TEnum Enum<TEnum>(JObject o, string key, string path, string where, TEnum fallback) where TEnum : struct, Enum
    {
        JToken? t = Value(o, key, path, where);
        if (t == null) return fallback;
        string[] names = System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToArray();
        if (t.Type == JTokenType.String && Array.IndexOf(names, t.Value<string>()) >= 0)
            return System.Enum.Parse<TEnum>(t.Value<string>()!, ignoreCase: true);
        throw new BadInputException($"{where}: {path}.{key} must be one of {string.Join(", ", names.Select(n => $"\"{n}\""))} (got {t.ToString(Formatting.None)})");
    }
}
