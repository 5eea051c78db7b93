using Repro.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Tests.Data;

public class ImageDatasetTests
{
    [Fact]
    public void SequentialBatchIsAViewSharingTheDatasetStorage()
    {
        using var data = DataSource.Load("synthetic:n=20,c=1,h=2,w=2,classes=3,seed=1");
        var plan = BatchPlan.Create(data.Count, 20, 8, SampleOrder.Sequential);
        using var batch = data.Take(plan.Batches[1]);   // rows 8..15
        Assert.Equal(new long[] { 8, 1, 2, 2 }, batch.Images.shape);
        Assert.True(Tensors.Same(batch.Images, data.Images.narrow(0, 8, 8)));
        Assert.Equal(8 * 4, batch.Images.storage_offset());   // a view into the same storage, not a copy
        // Writing through the batch changes the dataset: it is the same memory.
        batch.Images[0, 0, 0, 0] = tensor(123.0f);
        Assert.Equal(123.0f, data.Images[8, 0, 0, 0].item<float>());
        Assert.Equal(data.Labels![9].item<long>(), batch.Labels![1].item<long>());
    }

    [Fact]
    public void ShuffledBatchGathersItsRows()
    {
        using var data = DataSource.Load("synthetic:n=50,c=2,h=3,w=3,classes=4,seed=2");
        var plan = BatchPlan.Create(data.Count, 30, 7, SampleOrder.Shuffle, seed: 9);
        PlannedBatch b = plan.Batches[2];
        using var batch = data.Take(b);
        long[] rows = b.Rows();
        Assert.Equal(7, batch.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.True(Tensors.Same(batch.Images[i], data.Images[rows[i]]));
            Assert.Equal(data.Labels![rows[i]].item<long>(), batch.Labels![i].item<long>());
        }
    }

    [Fact]
    public void BatchesCoverTheSampledRowsExactlyOnce()
    {
        using var data = DataSource.Load("synthetic:n=40,c=1,h=2,w=2,classes=3,seed=4");
        var plan = BatchPlan.Create(data.Count, 37, 5, SampleOrder.Sequential);
        using var scope = NewDisposeScope();
        Tensor all = cat(plan.Batches.Select(b => data.Take(b).Images).ToList(), 0);
        Assert.True(Tensors.Same(all, data.Images.narrow(0, 0, 37)));
    }

    [Fact]
    public void BatchMovesToADeviceAndStaysWhenAlreadyThere()
    {
        using var data = DataSource.Load("synthetic:n=10,c=1,h=2,w=2,classes=2,seed=1");
        var plan = BatchPlan.Create(data.Count, 10, 4, SampleOrder.Sequential);
        using var batch = data.Take(plan.Batches[0]);
        Assert.Same(batch, batch.To(CPU));
        if (cuda.is_available())
        {
            using var onGpu = batch.To(CUDA);
            Assert.Equal(DeviceType.CUDA, onGpu.Images.device_type);
            Assert.True(Tensors.Same(onGpu.Images.cpu(), batch.Images));
        }
    }

    [Fact]
    public void DatasetSurvivesTheDisposeScopeItWasLoadedIn()
    {
        ImageDataset data;
        using (NewDisposeScope()) data = DataSource.Load("synthetic:n=6,c=1,h=2,w=2,classes=2,seed=1");
        using (data)
            Assert.Equal(6, data.Images.shape[0]);
    }
}
