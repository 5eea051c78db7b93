using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Repro.Runtime.Collectives;
using Repro.Runtime.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runtime.Calibration;

/// <summary>
/// Precise BN (Wu &amp; Johnson 2021, "Rethinking 'Batch' in BatchNorm", Sec. 3): with the weights fixed,
/// run training batches through the model and replace each BatchNorm's running_mean / running_var by
/// statistics over all of them.
///
/// One run, in order: census of norm layers → apply (<see cref="RecalibrationGuard"/>) → accumulate this
/// rank's batches (<see cref="LayerMoments"/>, on the device, no host sync in the loop) → agree that no
/// rank failed → all-reduce (<see cref="RankReduction"/>) → estimate (<see cref="PopulationEstimator"/> or
/// <see cref="MeanOfBatchVarianceEstimator"/>) → refuse non-finite values → write → restore.
/// Every step after the loop sees the same numbers on every rank, so every rank decides the same way.
/// </summary>
public static class PreciseBn
{
    /// <param name="model">recalibrated in place: only the running_mean / running_var of BN layers in training mode change</param>
    /// <param name="batches">this rank's input batches, [N, C, …]; each is disposed after its forward</param>
    public static PreciseBnResult Recalibrate(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> batches, PreciseBnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        options ??= new PreciseBnOptions();
        ICollective collective = options.Collective;
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();

        NormLayerCensus census = BatchNormDiscovery.Census(model);
        DescribeSkipped(census, notes);
        if (census.Recalibrated.Count == 0)
        {
            notes.Add(census.HasBatchNorm
                ? "no BatchNorm layer is in training mode with running statistics: nothing was recalibrated and the model is unchanged"
                : "the model has no BatchNorm layer: nothing was recalibrated and the model is unchanged");
            return new PreciseBnResult(options.Estimator, collective.Size, [], census.Skipped, 0, 0, 0, 0, notes, clock.Elapsed);
        }

        IReadOnlyList<RecalibratedLayer> layers = census.Recalibrated;
        var old = layers.Select(l => (Mean: ToDoubles(l.Module.running_mean!), Var: ToDoubles(l.Module.running_var!))).ToArray();

        using var guard = new RecalibrationGuard(model, layers);
        guard.Enter();
        using var observer = new BatchObserver(layers);
        BatchTally tally = Accumulate(model, layers, batches, observer, guard, options, out RankMoments[] local, out ExceptionDispatchInfo? failure);

        AgreeNoRankFailed(collective, failure);
        // Timed after the agreement, which every rank leaves together: what follows is the cost of
        // the reduction itself, not the wait for the slowest rank's batches.
        var reduction = Stopwatch.StartNew();
        var totals = new[] { tally.SamplesUsed, tally.BatchesUsed, tally.SamplesDropped, tally.BatchesDropped };
        collective.AllReduceSum(totals);
        IReadOnlyList<PooledMoments> pooled = RankReduction.AllReduce(local, collective);
        reduction.Stop();

        if (totals[3] > 0)
            notes.Add($"left out {totals[3]} batch(es), {totals[2]} sample(s): they would give {tally.DroppedBecauseOf ?? "a BN layer"} a single value per channel, "
                      + "whose variance is undefined (PyTorch refuses such a batch in train mode)");
        var estimates = new LayerEstimate[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            PooledMoments m = pooled[i];
            if (m.Count == 0)
                throw NoStatistics(layers[i], batchesUsed: totals[1], batchesDropped: totals[3]);
            estimates[i] = LayerEstimate.Of(options.Estimator, m);
            if (estimates[i].FirstNonFinite() is { } bad)
                throw new PreciseBnException($"BatchNorm {BatchNormDiscovery.Quote(layers[i].Name)}: non-finite statistics after {totals[0]} samples ({bad}); nothing was written.");
        }

        guard.Commit(estimates);
        var recalibrated = layers.Select((l, i) => new LayerRecalibration(
            l.Name, l.Kind, l.Channels, l.Module.eps, pooled[i].Count, pooled[i].Batches,
            old[i].Mean, old[i].Var, estimates[i].Mean, estimates[i].Var)).ToArray();
        return new PreciseBnResult(options.Estimator, collective.Size, recalibrated, census.Skipped,
            totals[0], totals[1], totals[2], totals[3], notes, clock.Elapsed, reduction.Elapsed);
    }

    /// <summary>Why a layer ended with no values at all, as the error the user needs.</summary>
    private static Exception NoStatistics(RecalibratedLayer layer, long batchesUsed, long batchesDropped)
    {
        string name = BatchNormDiscovery.Quote(layer.Name);
        if (batchesUsed == 0 && batchesDropped > 0)
            return new BadInputException($"--batch-size: every batch would give BatchNorm {name} a single value per channel; use a larger batch size.");
        if (batchesUsed == 0)
            return new BadInputException("--data: no batches to recalibrate with.");
        return new PreciseBnException($"BatchNorm {name} received no input in {batchesUsed} batch(es): the model's forward never calls it; nothing was written.");
    }

    private sealed record BatchTally(long SamplesUsed, long BatchesUsed, long SamplesDropped, long BatchesDropped, string? DroppedBecauseOf);

    /// <summary>The batch loop. A failure is captured, not thrown, so that this rank still joins the agreement that follows.</summary>
    private static BatchTally Accumulate(
        nn.Module<Tensor, Tensor> model, IReadOnlyList<RecalibratedLayer> layers, IEnumerable<Tensor> batches,
        BatchObserver observer, RecalibrationGuard guard, PreciseBnOptions options,
        out RankMoments[] local, out ExceptionDispatchInfo? failure)
    {
        Device device = layers[0].Module.running_mean!.device;
        var moments = layers.Select(l => new LayerMoments(l.Channels, l.Module.running_mean!.device)).ToArray();
        long samplesUsed = 0, batchesUsed = 0, samplesDropped = 0, batchesDropped = 0;
        string? droppedBecauseOf = null;
        failure = null;
        try
        {
            using var noGrad = no_grad();
            using IEnumerator<Tensor> e = batches.GetEnumerator();
            while (true)
            {
                BatchMemory.ReleaseFinishedBatches();
                using var scope = NewDisposeScope();
                if (!e.MoveNext()) break;
                Tensor batch = e.Current;
                scope.Attach(batch);
                long samples = batch.shape[0];
                Tensor input = batch.device_type == device.type && batch.device_index == device.index ? batch : batch.to(device);
                observer.BeginBatch();
                try
                {
                    model.call(input);
                }
                catch (SingleValuePerChannelException single)
                {
                    samplesDropped += samples;
                    batchesDropped++;
                    droppedBecauseOf ??= $"BatchNorm {BatchNormDiscovery.Quote(single.Layer)}";
                    continue;
                }
                for (int i = 0; i < layers.Count; i++)
                {
                    long count = observer.CountThisBatch(i);
                    if (count > 0)
                        moments[i].Add(layers[i].Module.running_mean!, layers[i].Module.running_var!, count);
                }
                samplesUsed += samples;
                batchesUsed++;
                options.OnBatch?.Invoke(batchesUsed + batchesDropped);
            }
            CheckEveryForwardWasSeen(layers, observer, guard);
            local = moments.Select(m => m.ToHost()).ToArray();
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
            local = moments.Select(m => new RankMoments(0, 0, new double[m.Channels], new double[m.Channels], new double[m.Channels], new double[m.Channels])).ToArray();
        }
        finally
        {
            foreach (var m in moments) m.Dispose();
        }
        return new BatchTally(samplesUsed, batchesUsed, samplesDropped, batchesDropped, droppedBecauseOf);
    }

    /// <summary>
    /// A BN layer whose forward ran without its pre-hook (the model called forward() instead of call())
    /// normalised batches we could not count; its statistics would be silently wrong.
    /// </summary>
    private static void CheckEveryForwardWasSeen(IReadOnlyList<RecalibratedLayer> layers, BatchObserver observer, RecalibrationGuard guard)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            long ran = guard.ForwardsSinceEntering(i);
            if (ran >= 0 && ran != observer.Calls[i])
                throw new PreciseBnException(
                    $"BatchNorm {BatchNormDiscovery.Quote(layers[i].Name)} ran {ran} time(s) but was seen {observer.Calls[i]} time(s): the model invokes it with forward() instead of call(), "
                    + "which bypasses the hooks Precise BN counts with; nothing was written.");
        }
    }

    /// <summary>
    /// Ranks fail independently (a bad batch, a model error); the others would wait forever in the
    /// statistics all-reduce. One max-reduce first lets every rank fail together: the failing rank
    /// rethrows its own exception, the others throw <see cref="OtherRankFailedException"/> and stay quiet (RankedRun).
    /// </summary>
    private static void AgreeNoRankFailed(ICollective collective, ExceptionDispatchInfo? failure)
    {
        var flag = new[] { failure is null ? 0L : collective.Rank + 1L };
        collective.AllReduceMax(flag);
        failure?.Throw();
        if (flag[0] != 0)
            throw new OtherRankFailedException((int)(flag[0] - 1), $"rank {flag[0] - 1} failed during Precise BN; nothing was written.");
    }

    private static void DescribeSkipped(NormLayerCensus census, List<string> notes)
    {
        foreach (var group in census.Skipped.GroupBy(s => s.Reason))
        {
            var names = group.Select(s => $"{BatchNormDiscovery.Quote(s.Name)} ({s.Kind})").ToArray();
            notes.Add($"not recalibrated, {group.Key}: {string.Join(", ", names)}");
        }
    }

    private static double[] ToDoubles(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64, copy: true).cpu().data<double>().ToArray();
    }
}
