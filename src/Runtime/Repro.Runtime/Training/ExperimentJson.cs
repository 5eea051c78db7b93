using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Repro.Runtime.Training;

/// <summary>Loads an experiment file as JSON; a missing or malformed file is bad input naming the file.</summary>
public static class ExperimentJson
{
    public static JObject Load(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{path}: experiment file not found");
        try
        {
            using var reader = new JsonTextReader(new StreamReader(path)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
            var settings = new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error, CommentHandling = CommentHandling.Ignore };
            JToken root = JToken.ReadFrom(reader, settings);
            if (reader.Read() && reader.TokenType != JsonToken.Comment)
                throw new BadInputException($"{path}: unexpected content after the top-level object");
            return root as JObject ?? throw new BadInputException($"{path}: the top level must be a JSON object");
        }
        catch (JsonReaderException e)
        {
            throw new BadInputException($"{path}: not valid JSON: {e.Message}", e);
        }
    }
}
