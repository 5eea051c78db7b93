using Newtonsoft.Json.Linq;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Data;
using Repro.Runtime.Models;
using TorchSharp;

namespace Repro.Bench;

/// <summary>
/// What every figure shares: the default experiment's model, one tensor file of Fashion-MNIST
/// training images that Repro and the PyTorch peer both read, and the paths of the tools.
/// </summary>
public sealed class BenchContext : IDisposable
{
    public const int LargestSampleCount = 32768;

    private BenchContext(string repoRoot, string workDir, int threads, int repetitions)
    {
        RepoRoot = repoRoot;
        WorkDir = workDir;
        Threads = threads;
        Repetitions = repetitions;
    }

    public string RepoRoot { get; }
    public string WorkDir { get; }
    public int Threads { get; }
    public int Repetitions { get; }
    public string ResultsDir => Path.Combine(RepoRoot, "bench", "results");
    public string ReproDll => Path.Combine(AppContext.BaseDirectory, "repro.dll");
    public string ExperimentFile => Path.Combine(RepoRoot, "experiments", "fashion-mnist-resnet", "experiment.json");
    public string CheckpointPath => Path.Combine(WorkDir, "model.safetensors");
    public string TensorFilePath => Path.Combine(WorkDir, $"fashion-mnist-train-{LargestSampleCount}.safetensors");
    public string DataSpec => "tensors:" + TensorFilePath;
    public ResNetConfig ModelConfig { get; private set; } = null!;
    public ImageDataset Data { get; private set; } = null!;

    /// <summary>Python with PyTorch (Debian's python3-torch), or null when it is not installed.</summary>
    public string? TorchPython { get; private set; }

    public static BenchContext Create(string repoRoot, int threads, int repetitions)
    {
        string work = Path.Combine(repoRoot, "bench", "results", "work");
        Directory.CreateDirectory(work);
        var ctx = new BenchContext(repoRoot, work, threads, repetitions);
        ctx.Prepare();
        return ctx;
    }

    private void Prepare()
    {
        var experiment = JObject.Parse(File.ReadAllText(ExperimentFile));
        ModelConfig = ResNetConfig.FromJson(experiment["model"]!, ExperimentFile);
        if (!File.Exists(CheckpointPath))
        {
            using var model = new ResNet(ModelConfig, seed: 0);
            ModelCheckpoint.Save(CheckpointPath, model);
        }
        if (!File.Exists(TensorFilePath))
        {
            using var full = DataSource.Load("fashion-mnist:train");
            using var scope = torch.NewDisposeScope();
            var tensors = new Dictionary<string, torch.Tensor>
            {
                ["images"] = full.Images.narrow(0, 0, LargestSampleCount).contiguous(),
                ["labels"] = full.Labels!.narrow(0, 0, LargestSampleCount).contiguous(),
            };
            SafetensorsWriter.Write(TensorFilePath, tensors, new Dictionary<string, string>
            {
                ["source"] = "first 32768 images of fashion-mnist:train, normalised as Repro does",
            });
        }
        Data = DataSource.Load(DataSpec);
        TorchPython = File.Exists("/usr/lib/python3/dist-packages/torch/__init__.py") ? "/usr/bin/python3" : null;
    }

    /// <summary>The batches of the first <paramref name="samples"/> samples, in file order.</summary>
    public IEnumerable<torch.Tensor> Batches(long samples, int batchSize)
    {
        var plan = BatchPlan.Create(Data.Count, samples, batchSize, SampleOrder.Sequential);
        foreach (PlannedBatch b in plan.Batches)
            yield return Data.Take(b).Images;
    }

    public ResNet LoadModel() => ModelCheckpoint.Load(CheckpointPath).Model;

    public void Dispose() => Data?.Dispose();
}
