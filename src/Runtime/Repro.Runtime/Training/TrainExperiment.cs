using Repro.Pipeline.Experiments;
using Repro.Runtime.Models;

namespace Repro.Runtime.Training;

/// <summary>
/// The parts of an experiment file that training reads: the data specs, the model and the train
/// section. The file itself is read by the stage engine's <see cref="ExperimentDefinition"/> (strict
/// top level); the model and train sections are parsed strictly here. Relative data paths resolve
/// against <see cref="Directory"/>.
/// </summary>
public sealed record TrainExperiment(string Path, string Name, string Directory, string TrainData, string? TestData, ResNetConfig Model, TrainConfig Train)
{
    public static TrainExperiment Load(string path)
    {
        ExperimentDefinition e = ExperimentDefinition.Load(path);
        return new TrainExperiment(e.FilePath, e.Name, e.Directory, e.TrainData, e.TestData,
            ResNetConfig.FromJson(e.Model, e.FilePath), TrainConfigJson.Parse(e.Train, e.FilePath));
    }
}
