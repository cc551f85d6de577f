namespace AlignLab.Core.Figa;

/// <summary>Table 5's "R(·)" variant (“Beyond Imitation”, §4.3.2; Table 7): α and β of each pair from a reward model's
/// scores of its revision Ỹ and initial response Ŷ, "standardized through the min-max method". AlignLab scales all 2N
/// scores of the dataset together, onto [0, 1], so that a revision scored above its initial response keeps a larger weight
/// (the paper does not say whether the two columns are scaled together or apart; docs/methods.md, FIGA).</summary>
public static class RewardPairWeights
{
    /// <param name="revised">R(X, Ỹ) per pair.</param>
    /// <param name="original">R(X, Ŷ) per pair.</param>
    /// <param name="beta">β of every pair under <see cref="RewardScaledWeights.Alpha"/>.</param>
    public static (double Alpha, double Beta)[] For(IReadOnlyList<double> revised, IReadOnlyList<double> original, RewardScaledWeights mode, double beta)
    {
        if (mode == RewardScaledWeights.None) throw new ArgumentException("no reward-scaled weights asked for", nameof(mode));
        if (revised.Count != original.Count) throw new ArgumentException("one score of each response per pair");
        var all = revised.Concat(original).ToList();
        var (min, max) = (all.Min(), all.Max());
        // Every score equal: nothing to tell the pairs apart by; every weight is 1.
        double Scale(double r) => max > min ? (r - min) / (max - min) : 1;
        return [.. revised.Select((r, i) => (Scale(r), mode == RewardScaledWeights.AlphaBeta ? Scale(original[i]) : beta))];
    }
}
