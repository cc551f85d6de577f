using AlignLab.Core.Figa;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Eq. 2 on tensors, as the reference implementation computes it: per-token cross-entropy CE_t of both
/// sequences from one forward pass (<see cref="Inference.TokenLogProbs.Nll"/>); weights +α/γ on Ỹ and −β on Ŷ's deleted/substituted tokens that pass the
/// selection by their NLL (= CE of the same pass, not differentiated through); loss = Σ CE_t·w_t / #(w_t ≠ 0).
/// Mirrors <see cref="FigaLossReference"/>, which the tests hold it to.</summary>
public sealed record FigaLoss(Tensor Loss, double GoodLoss, double BadLoss, long GoodTokens, long BadKept, long BadDropped)
{
    /// <param name="rewarded">Bool, like <paramref name="weights"/>: the revision's added/substituted tokens, whose mean CE is GoodLoss.</param>
    public static FigaLoss Compute(Tensor tokenCe, Tensor weights, Tensor rewarded, FigaOptions options)
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
        var loss = (tokenCe * effective).sum() / counted.sum().clamp_min(1);

        var good = rewarded;
        long goodTokens = good.sum().item<long>(), badKept = kept.sum().item<long>();
        return new FigaLoss(loss,
            goodTokens == 0 ? 0 : nll.masked_select(good).mean().item<float>(),
            badKept == 0 ? 0 : nll.masked_select(kept).mean().item<float>(),
            goodTokens, badKept, candidate.sum().item<long>() - badKept);
    }
}
