using Repro.Runtime.Calibration;
using TorchSharp;

namespace Repro.Bench.Figures;

/// <summary>
/// Figure 1: precise BN against its own limit. Recalibration must run every batch forward in train
/// mode, so a plain train-mode forward under no_grad over the same batches is the floor; what
/// precise BN adds on top (statistics, bookkeeping) is the ratio minus one.
/// </summary>
public static class ForwardLimitFigure
{
    public const long Samples = 8192;
    public const int BatchSize = 256;

    public static IEnumerable<BenchRow> Run(BenchContext ctx)
    {
        using var model = ctx.LoadModel();
        var (wall, cpu) = Timing.PairedWallAndCpu(1, ctx.Repetitions,
            // Train mode first: precise BN recalibrates only BN layers in training mode, and the forward side leaves eval.
            () => { model.train(); PreciseBn.Recalibrate(model, ctx.Batches(Samples, BatchSize)); },
            () => PlainForward(model, ctx.Batches(Samples, BatchSize)));
        string what = $"S={Samples}, B={BatchSize}, {ctx.Threads} threads";
        yield return BenchRow.FromTiming("1", "precise BN", wall.A, detail: what + ", wall");
        yield return BenchRow.FromTiming("1", "plain train-mode forward", wall.B, detail: what + ", wall");
        yield return BenchRow.Ratio("1", "precise BN ÷ forward (wall)", wall.Ratio, TargetKind.AtMost, 1.05, what);
        yield return BenchRow.Ratio("1", "precise BN ÷ forward (process CPU time)", cpu.Ratio, TargetKind.AtMost, 1.05,
            what + "; CPU time is what other processes' load does not inflate");
    }

    /// <summary>The floor: the same forwards, in train mode, under no_grad, and nothing else.</summary>
    public static void PlainForward(torch.nn.Module<torch.Tensor, torch.Tensor> model, IEnumerable<torch.Tensor> batches)
    {
        model.train();
        using var noGrad = torch.no_grad();
        foreach (var batch in batches)
        {
            using var scope = torch.NewDisposeScope();
            scope.Attach(batch);
            model.call(batch);
        }
        model.eval();
    }
}
