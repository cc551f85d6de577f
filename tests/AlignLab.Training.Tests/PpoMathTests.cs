using AlignLab.Core.Ppo;
using AlignLab.Training.Methods.Ppo;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>The batched tensor PPO arithmetic against the per-sequence reference, on a right-padded batch.</summary>
public class PpoMathTests
{
    private static readonly int[] Lengths = [4, 2, 3];
    private const int T = 4;

    private static (Tensor Batch, double[][] Rows) Random(int seed, double scale = 1)
    {
        var generator = new Random(seed);
        var rows = Lengths.Select(n => Enumerable.Range(0, n).Select(_ => (generator.NextDouble() * 2 - 1) * scale).ToArray()).ToArray();
        var flat = new double[Lengths.Length * T];
        for (int b = 0; b < rows.Length; b++) rows[b].CopyTo(flat, b * T);
        return (tensor(flat, [Lengths.Length, T]), rows);
    }

    private static Tensor Mask() => tensor(Lengths.SelectMany(n => Enumerable.Range(0, T).Select(t => t < n ? 1.0 : 0.0)).ToArray(), [Lengths.Length, T]);

    private static double[] Row(Tensor x, int b) => [.. x[b].data<double>().Take(Lengths[b])];

    [Fact]
    public void GaeAndRewardsMatchTheReferencePerRowAndPaddingStaysZero()
    {
        using var scope = NewDisposeScope();
        var mask = Mask();
        var (scores, scoreRows) = Random(1);
        var (logp, logpRows) = Random(2);
        var (reference, referenceRows) = Random(3);
        var (values, valueRows) = Random(4);
        var rewards = PpoMath.PenalisedRewards(scores, logp, reference, mask, 0.2);
        var (advantages, returns) = PpoMath.Gae(rewards, values, mask, 0.9, 0.95);
        for (int b = 0; b < Lengths.Length; b++)
        {
            var expectedRewards = PpoReference.PenalisedRewards(scoreRows[b], logpRows[b], referenceRows[b], 0.2);
            Assert.Equal(expectedRewards, Row(rewards, b), new Tolerance(1e-12));
            var (expectedAdvantages, expectedReturns) = PpoReference.Gae(expectedRewards, valueRows[b], 0.9, 0.95);
            Assert.Equal(expectedAdvantages, Row(advantages, b), new Tolerance(1e-12));
            Assert.Equal(expectedReturns, Row(returns, b), new Tolerance(1e-12));
        }
        Assert.Equal(0.0, (advantages * (1 - mask)).abs().sum().item<double>());
        Assert.Equal([0.0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 9, 0], PpoMath.AtLastToken(tensor(new double[] { 5, 7, 9 }), mask).data<double>().ToArray());
    }

    [Fact]
    public void AlpacaFarmsClampedKlGivesNoBonusToTokensLessLikelyThanUnderTheReference()
    {
        using var scope = NewDisposeScope();
        // log π − log π_ref = [0.3, −0.2 | pad]; β 0.1; scores [0, 1 | pad].
        var (logp, reference) = (tensor(new[] { 0.3, -0.2, 0.9 }, [1, 3]), tensor(new[] { 0.0, 0.0, 0.0 }, [1, 3]));
        var (scores, mask) = (tensor(new[] { 0.0, 1.0, 5.0 }, [1, 3]), tensor(new[] { 1.0, 1.0, 0.0 }, [1, 3]));
        // Clamped: [0.3, 0] → rewards [−0.03, 1]. Unclamped: [0.3, −0.2] → [−0.03, 1.02]. Padding 0 either way.
        Assert.Equal([-0.03, 1.0, 0.0], PpoMath.PenalisedRewards(scores, logp, reference, mask, 0.1, clampKl: true).data<double>().ToArray(), new Tolerance(1e-12));
        Assert.Equal([-0.03, 1.02, 0.0], PpoMath.PenalisedRewards(scores, logp, reference, mask, 0.1).data<double>().ToArray(), new Tolerance(1e-12));
        Assert.Equal([0.3, 0.0, 0.0], PpoMath.TokenKl(logp, reference, mask, clamp: true).data<double>().ToArray(), new Tolerance(1e-12));
    }

    [Fact]
    public void RewardWhiteningKeepsTheMeanAndDividesByThePopulationStdOverRealTokens()
    {
        using var scope = NewDisposeScope();
        // Real tokens 1, 2, 3 | 4 (and padding): mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25,
        // std √1.25 = 1.118034; (x − 2.5)/1.118034 + 2.5 = 1.158359, 2.052786, 2.947214, 3.841641.
        var rewards = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 9.0, 9.0 }, [2, 3]);
        var mask = tensor(new[] { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0 }, [2, 3]);
        var whitened = PpoMath.WhitenKeepingMean(rewards, mask).data<double>().ToArray();
        var std = Math.Sqrt(1.25);
        Assert.Equal([(1 - 2.5) / (std + 1e-8) + 2.5, (2 - 2.5) / (std + 1e-8) + 2.5, (3 - 2.5) / (std + 1e-8) + 2.5, (4 - 2.5) / (std + 1e-8) + 2.5, 0, 0],
            whitened, new Tolerance(1e-12));
        Assert.Equal(1.158359, whitened[0], 6);
        Assert.Equal(3.841641, whitened[3], 6);
    }

    [Fact]
    public void WhiteningAndLossesMatchTheReferenceOverAllRealTokens()
    {
        using var scope = NewDisposeScope();
        var mask = Mask();
        var (advantages, advantageRows) = Random(5);
        var (logp, logpRows) = Random(6, 0.4);
        var (oldLogp, oldRows) = Random(7, 0.4);
        var (values, valueRows) = Random(8);
        var (oldValues, oldValueRows) = Random(9);
        var (returns, returnRows) = Random(10);
        double[] All(double[][] rows) => [.. rows.SelectMany(r => r)];

        var whitened = PpoMath.Whiten(advantages, mask);
        var expected = PpoReference.Whiten(All(advantageRows));
        Assert.Equal(expected, Enumerable.Range(0, Lengths.Length).SelectMany(b => Row(whitened, b)), new Tolerance(1e-9));

        var policy = PpoMath.PolicyLoss(logp, oldLogp, advantages, mask, 0.2);
        var (loss, clipFraction, approxKl) = PpoReference.PolicyLoss(All(logpRows), All(oldRows), All(advantageRows), 0.2);
        Assert.Equal(loss, policy.Loss.item<double>(), 12);
        Assert.Equal(clipFraction, policy.ClipFraction.item<double>(), 12);
        Assert.Equal(approxKl, policy.ApproxKl.item<double>(), 12);
        Assert.True(clipFraction is > 0 and < 1, "the random ratios exercise both branches");

        Assert.Equal(PpoReference.ValueLoss(All(valueRows), All(oldValueRows), All(returnRows), 0.2),
            PpoMath.ValueLoss(values, oldValues, returns, mask, 0.2).item<double>(), 12);
        Assert.Equal(PpoReference.ExplainedVariance(All(valueRows), All(returnRows)), PpoMath.ExplainedVariance(values, returns, mask), 5);
    }
}
