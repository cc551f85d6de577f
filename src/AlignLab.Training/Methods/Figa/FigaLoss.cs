using AlignLab.Core.Figa;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Eq. 2 on tensors, as the reference implementation computes it: per-token cross-entropy CE_t of both
/// sequences from one forward pass (<see cref="Inference.TokenLogProbs.Nll"/>); weights +α/γ on Ỹ and −β on Ŷ's deleted/substituted tokens that pass the
/// selection by their NLL (= CE of the same pass, not differentiated through); loss = Σ CE_t·w_t / #(w_t ≠ 0) per micro-batch.
/// A pass of several micro-batches (<see cref="FigaBatch.Groups"/>) gives the sum of their losses, each normalised over its
/// own counted tokens, and the sums of their metrics: the gradient and the figures of as many passes of one micro-batch.
/// Mirrors <see cref="FigaLossReference"/>, which the tests hold it to.
/// <see cref="LossValue"/> is <see cref="Loss"/> read on the host with the other figures, in one copy.</summary>
public sealed record FigaLoss(Tensor Loss, double LossValue, double GoodLoss, double BadLoss, long GoodTokens, long BadKept, long BadDropped)
{
    /// <param name="rewarded">Bool, like <paramref name="weights"/>: the revision's added/substituted tokens, whose mean CE is GoodLoss.</param>
    /// <param name="groups">Each row's micro-batch, Int64 (rows), 0 … <paramref name="microBatches"/> − 1; null: all rows are one.</param>
    public static FigaLoss Compute(Tensor tokenCe, Tensor weights, Tensor rewarded, FigaOptions options, Tensor? groups = null, int microBatches = 1)
    {
        var nll = tokenCe.detach();
        var candidate = weights.lt(0);                                                      // Ŷ's deleted/substituted
        var passes = options.Selection switch
        {
            BadTokenSelection.None => ones_like(candidate),
            BadTokenSelection.Inverted => nll.ge(options.NllThreshold),
            BadTokenSelection.AuthorsCode => nll.ge(options.NllThreshold).logical_and(nll.le(options.NllUpper)),
            _ => nll.lt(options.NllThreshold),
        };
        var kept = candidate.logical_and(passes);
        var effective = weights.masked_fill(candidate.logical_and(passes.logical_not()), 0);
        var counted = effective.ne(0);

        // Row sums gathered per micro-batch, (G).
        groups ??= zeros(tokenCe.shape[0], dtype: ScalarType.Int64, device: tokenCe.device);
        Tensor PerMicroBatch(Tensor perToken) =>
            zeros(microBatches, dtype: ScalarType.Float32, device: tokenCe.device).index_add(0, groups, perToken.to(ScalarType.Float32).sum(1), 1);
        var losses = PerMicroBatch(tokenCe * effective) / PerMicroBatch(counted).clamp_min(1);

        // Each micro-batch's mean NLL of its rewarded and of its kept penalised tokens (0 without any), summed.
        // One copy to the host, (6, G): the losses, rewarded and kept counts, their NLL sums, and the penalty candidates.
        var figures = stack([losses.detach(), PerMicroBatch(rewarded), PerMicroBatch(kept), PerMicroBatch(nll * rewarded), PerMicroBatch(nll * kept),
            PerMicroBatch(candidate)]).cpu().data<float>().ToArray();
        float[] Row(int i) => figures[(i * microBatches)..((i + 1) * microBatches)];
        var (lossValues, goodCounts, badCounts, goodSums, badSums, candidates) = (Row(0), Row(1), Row(2), Row(3), Row(4), Row(5));
        double SumOfMeans(float[] sums, float[] counts) => sums.Zip(counts, (s, n) => n == 0 ? 0.0 : s / (double)n).Sum();
        long goodTokens = (long)goodCounts.Sum(), badKept = (long)badCounts.Sum();
        return new FigaLoss(losses.sum(), lossValues.Sum(v => (double)v), SumOfMeans(goodSums, goodCounts), SumOfMeans(badSums, badCounts),
            goodTokens, badKept, (long)candidates.Sum() - badKept);
    }
}
