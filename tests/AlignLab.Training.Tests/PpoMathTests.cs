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

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
