using AlignLab.Core.Figa;

namespace AlignLab.Core.Tests;

public class FigaTests
{
    private const int Eos = 0;

    [Fact]
    public void WeightsFollowEquationOneWithTheImplementationsEosHandling()
    {
        // Ŷ = 5 6 7 EOS, Ỹ = 5 8 7 9 EOS: 6→8 substituted, 9 added.
        var w = FigaWeights.For([5, 6, 7, Eos], [5, 8, 7, 9, Eos], new FigaOptions { Alpha = 1, Beta = 0.5, Gamma = 0 });
        Assert.Equal([0, 1, 0, 1, 1], w.Revised);            // α on 8, 9 and Ỹ's EOS; γ = 0 elsewhere
        Assert.Equal([0, -0.5, 0, 0], w.Original);           // −β on 6; Ŷ's EOS 0

        var withGamma = FigaWeights.For([5, 6, 7, Eos], [5, 8, 7, 9, Eos], new FigaOptions { Gamma = 0.3 });
        Assert.Equal([0.3, 1, 0.3, 1, 1], withGamma.Revised);
    }

    [Fact]
    public void BagOfWordsRewardsOnlyTokensAbsentFromTheOriginal()
    {
        // Ỹ repeats 6 elsewhere: Levenshtein marks the moved 6 as changed, bag-of-words does not.
        var options = new FigaOptions { GoodLabels = GoodTokenLabels.BagOfWords };
        var w = FigaWeights.For([6, 7, Eos], [7, 6, 9, Eos], options);
        Assert.Equal([0, 0, 1, 1], w.Revised);
    }

    [Fact]
    public void TheLossOfAFixedBatchEqualsTheHandComputedValue()
    {
        // Pair 1: Ỹ CE [0.2, 1.5, 0.4, 0.9] weights [0, 1, 0, 1]; Ŷ CE [0.3, 0.5, 0.8, 0.1] weights [0, −0.5, −0.5, 0].
        //   Ŷ token 2 has NLL 0.8 ≥ 0.6: dropped by the threshold; token 1 (0.5) kept.
        // Pair 2: Ỹ CE [2.0, 0.7] weights [1, 1]; Ŷ CE [0.1, 0.05] weights [−0.5, 0].
        // Σ CE·w = 1.5 + 0.9 − 0.5·0.5 + 2.0 + 0.7 − 0.5·0.1 = 4.8; weighted tokens: 2 + 1 + 2 + 1 = 6 → 0.8.
        var batch = new[]
        {
            (new[] { 0.2, 1.5, 0.4, 0.9 }, new double[] { 0, 1, 0, 1 }, new[] { false, true, false, true }, new[] { 0.3, 0.5, 0.8, 0.1 }, new[] { 0, -0.5, -0.5, 0 }),
            (new[] { 2.0, 0.7 }, new double[] { 1, 1 }, new[] { true, true }, new[] { 0.1, 0.05 }, new[] { -0.5, 0.0 }),
        };
        var result = FigaLossReference.Compute(batch, new FigaOptions());
        Assert.Equal(0.8, result.Loss, 12);
        Assert.Equal((1.5 + 0.9 + 2.0 + 0.7) / 4, result.GoodLoss, 12);
        Assert.Equal((0.5 + 0.1) / 2, result.BadLoss, 12);
        Assert.Equal((4, 2, 1), (result.GoodTokens, result.BadKept, result.BadDropped));

        // "No selection" keeps the 0.8 token too: (4.8 − 0.4) / 7.
        Assert.Equal((4.8 - 0.4) / 7, FigaLossReference.Compute(batch, new FigaOptions { Selection = BadTokenSelection.None }).Loss, 12);
        // "Inverted" keeps only it: (5.1 − 0.4) / 5.
        Assert.Equal((5.1 - 0.4) / 5, FigaLossReference.Compute(batch, new FigaOptions { Selection = BadTokenSelection.Inverted }).Loss, 12);
    }

    [Fact]
    public void ThePapersAndTheAuthorsBadTokenSelectionsKeepDifferentTokens()
    {
        // One pair: Ỹ CE [1.0] rewarded (α = 1); Ŷ's three deleted tokens with NLL 0.5, 0.8, 1.2, each weight −β = −0.5.
        var batch = new[] { (new[] { 1.0 }, new double[] { 1 }, new[] { true }, new[] { 0.5, 0.8, 1.2 }, new[] { -0.5, -0.5, -0.5 }) };

        // Paper (§4.1), NLL < 0.6: keeps 0.5, drops 0.8 and 1.2. Loss (1.0 − 0.5·0.5) / 2 = 0.375.
        var paper = new FigaOptions { Selection = BadTokenSelection.Paper };
        Assert.Equal([true, false, false], new[] { 0.5, 0.8, 1.2 }.Select(paper.Keeps));
        var paperLoss = FigaLossReference.Compute(batch, paper);
        Assert.Equal(0.375, paperLoss.Loss, 12);
        Assert.Equal((1, 2), (paperLoss.BadKept, paperLoss.BadDropped));

        // The authors' code, 0.6 ≤ NLL ≤ 1.0: drops 0.5, keeps 0.8, drops 1.2. Loss (1.0 − 0.5·0.8) / 2 = 0.3.
        var authors = new FigaOptions { Selection = BadTokenSelection.AuthorsCode };
        Assert.Equal([false, true, false], new[] { 0.5, 0.8, 1.2 }.Select(authors.Keeps));
        var authorsLoss = FigaLossReference.Compute(batch, authors);
        Assert.Equal(0.3, authorsLoss.Loss, 12);
        Assert.Equal((1, 2), (authorsLoss.BadKept, authorsLoss.BadDropped));
        Assert.Equal((0.8, 1.0), (authorsLoss.BadLoss, authorsLoss.GoodLoss));

        // The bounds are inclusive, as the code's "drop when NLL < 0.6 or NLL > 1.0" makes them.
        Assert.Equal([true, true], new[] { 0.6, 1.0 }.Select(authors.Keeps));
    }
}
