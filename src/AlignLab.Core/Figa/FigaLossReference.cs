namespace AlignLab.Core.Figa;

/// <summary>Eq. 2 as the reference implementation computes it, on plain numbers: loss = Σ CE_t · w_t / #(w_t ≠ 0),
/// with w = +α/γ on Ỹ and −β on the Ŷ tokens that pass the bad-token selection (by their NLL = CE in the same
/// pass). The tensor version in the training engine is tested against this.</summary>
public static class FigaLossReference
{
    public sealed record Result(double Loss, double GoodLoss, double BadLoss, int GoodTokens, int BadKept, int BadDropped);

    /// <param name="batch">Per pair: Ỹ's CE and weights, which of Ỹ's tokens are rewarded (labelled added/substituted:
    /// GoodLoss averages their CE), Ŷ's CE and weights.</param>
    public static Result Compute(
        IReadOnlyList<(double[] RevisedCe, double[] RevisedWeights, bool[] RevisedRewarded, double[] OriginalCe, double[] OriginalWeights)> batch,
        FigaOptions options)
    {
        double total = 0, good = 0, bad = 0;
        int counted = 0, goodTokens = 0, badKept = 0, badDropped = 0;
        foreach (var (revisedCe, revisedWeights, revisedRewarded, originalCe, originalWeights) in batch)
        {
            for (int t = 0; t < revisedCe.Length; t++)
            {
                if (revisedRewarded[t]) { good += revisedCe[t]; goodTokens++; }
                if (revisedWeights[t] == 0) continue;
                total += revisedCe[t] * revisedWeights[t];
                counted++;
            }
            for (int t = 0; t < originalCe.Length; t++)
            {
                if (originalWeights[t] == 0) continue;
                if (!options.Keeps(originalCe[t])) { badDropped++; continue; }
                total += originalCe[t] * originalWeights[t];
                counted++;
                bad += originalCe[t];
                badKept++;
            }
        }
        return new Result(counted == 0 ? 0 : total / counted, goodTokens == 0 ? 0 : good / goodTokens,
            badKept == 0 ? 0 : bad / badKept, goodTokens, badKept, badDropped);
    }
}
