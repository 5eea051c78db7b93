using Newtonsoft.Json.Linq;

namespace Repro.Pipeline.Stages;

/// <summary>An output of an upstream stage that this stage reads, under the name (role) the key uses.</summary>
public sealed record UpstreamInput(string Role, StageName Stage, string File);

/// <summary>A data source this stage reads, as written in the experiment.</summary>
public sealed record DataInput(string Role, string Spec);

/// <summary>Where one run of a stage reads and writes: resolved upstream files and a private staging folder.</summary>
public sealed record StageRunPaths(IReadOnlyDictionary<string, string> UpstreamFiles, string StagingDirectory);

/// <summary>
/// One stage of an experiment after overrides: everything its key depends on, the files it
/// produces, and the `repro` command line that produces them.
/// </summary>
public sealed class StageDefinition
{
    private readonly Func<StageRunPaths, IReadOnlyList<string>> _arguments;

    public StageDefinition(StageName name, JObject parameters, IReadOnlyList<UpstreamInput> upstream, IReadOnlyList<DataInput> data,
        IReadOnlyList<string> outputs, Func<StageRunPaths, IReadOnlyList<string>> arguments)
    {
        Name = name;
        Parameters = parameters;
        Upstream = upstream;
        Data = data;
        Outputs = outputs;
        _arguments = arguments;
    }

    public StageName Name { get; }
    /// <summary>The settings that decide this stage's result, and only those.</summary>
    public JObject Parameters { get; }
    public IReadOnlyList<UpstreamInput> Upstream { get; }
    public IReadOnlyList<DataInput> Data { get; }
    /// <summary>File names, relative to the stage's output folder.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The `repro` arguments (command first), outputs going to the staging folder.</summary>
    public IReadOnlyList<string> Arguments(StageRunPaths paths) => _arguments(paths);
}
