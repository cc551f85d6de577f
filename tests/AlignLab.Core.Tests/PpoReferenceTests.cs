using AlignLab.Core.Ppo;

namespace AlignLab.Core.Tests;

/// <summary>PPO's arithmetic against values worked by hand (the comments show the working).</summary>
public class PpoReferenceTests
{
    [Fact]
    public void TheKlPenaltyIsSubtractedPerToken()
    {
        // k = logp − ref = [0.5, −1.0]; reward = r − 0.2·k = [0.5 − 0.1, −1 + 0.2]
        Assert.Equal([0.4, -0.8], PpoReference.PenalisedRewards([0.5, -1], [-1, -2], [-1.5, -1.0], 0.2).Select(v => Math.Round(v, 12)));
        Assert.Equal([0.0, 0.0, 3.0], PpoReference.AtLastToken(3, 3));
    }

    [Fact]
    public void GaeAccumulatesDiscountedTemporalDifferences()
    {
        // γ = 1, λ = 0.5: δ2 = 2 − 0.5 = 1.5; δ1 = 0 + 0.5 − 1 = −0.5; δ0 = 1 + 1 − 0.5 = 1.5
        // A2 = 1.5; A1 = −0.5 + 0.5·1.5 = 0.25; A0 = 1.5 + 0.5·0.25 = 1.625; returns = A + V
        var (advantages, returns) = PpoReference.Gae([1, 0, 2], [0.5, 1.0, 0.5], gamma: 1, lambda: 0.5);
        Assert.Equal([1.625, 0.25, 1.5], advantages);
        Assert.Equal([2.125, 1.25, 2.0], returns);

        // A reward only at the end, zero values: A_t = (γλ)^(T−1−t) with γλ = 0.855
        var (discounted, _) = PpoReference.Gae([0, 0, 1], [0, 0, 0], gamma: 0.9, lambda: 0.95);
        Assert.Equal([0.731025, 0.855, 1.0], discounted.Select(v => Math.Round(v, 9)));
    }

    [Fact]
    public void TheAdaptiveControllerMovesBetaTowardsTheTargetKlByAtMostTwentyPercentPerHorizon()
    {
        // KL 9 vs target 6: error 0.5 clipped to 0.2; β = 0.2·(1 + 0.2·256/10000) = 0.201024
        var up = new AdaptiveKlController(0.2, target: 6, horizon: 10_000);
        up.Update(9, 256);
        Assert.Equal(0.201024, up.Beta, 12);
        // KL 5.4: error −0.1; β = 0.2·(1 − 0.1·256/10000) = 0.199488
        var down = new AdaptiveKlController(0.2, target: 6, horizon: 10_000);
        down.Update(5.4, 256);
        Assert.Equal(0.199488, down.Beta, 12);
        var fixedBeta = new FixedKlController(0.2);
        fixedBeta.Update(100, 256);
        Assert.Equal(0.2, fixedBeta.Beta);
    }

    [Fact]
    public void WhiteningCentresAndScalesByTheUnbiasedDeviation()
    {
        // mean 3, squared deviations 4 + 1 + 0 + 9 = 14, variance 14/3, sd 2.160247
        var whitened = PpoReference.Whiten([1, 2, 3, 6]);
        Assert.Equal([-0.92582, -0.46291, 0, 1.38873], whitened.Select(v => Math.Round(v, 5)));
    }

    [Fact]
    public void ThePolicyLossTakesThePessimisticClippedTerm()
    {
        // t0: ρ = e^0.2 = 1.2214 > 1.2, A = 1: max(−1.2214, −1.2) = −1.2 (clipped)
        // t1: ρ = e^−0.5 = 0.6065 < 0.8, A = −1: max(0.6065, 0.8) = 0.8 (clipped)
        // t2: ρ = 1, A = 2: −2
        // loss = (−1.2 + 0.8 − 2)/3 = −0.8; clip fraction 2/3; approx-KL = ½(0.04 + 0.25 + 0)/3
        var (loss, clipFraction, approxKl) = PpoReference.PolicyLoss([-1, -1, -2], [-1.2, -0.5, -2], [1, -1, 2], 0.2);
        Assert.Equal(-0.8, loss, 12);
        Assert.Equal(2.0 / 3, clipFraction, 12);
        Assert.Equal(0.29 / 6, approxKl, 12);
    }

    [Fact]
    public void TheValueLossTakesTheWorseOfTheClippedAndUnclippedErrors()
    {
        // t0: V = 1 clipped to 0.7 around 0.5: max((1 − 2)², (0.7 − 2)²) = 1.69
        // t1: V = 0 clipped to 0.3: max(0, 0.09) = 0.09; loss = ½·(1.69 + 0.09)/2 = 0.445
        Assert.Equal(0.445, PpoReference.ValueLoss([1.0, 0.0], [0.5, 0.5], [2.0, 0.0], 0.2), 12);
    }

    [Fact]
    public void ExplainedVarianceComparesResidualAndReturnVariance()
    {
        // Var(returns [1,2,4]) = 14/9; residuals [0,0,1] have variance 2/9; 1 − (2/9)/(14/9) = 6/7
        Assert.Equal(6.0 / 7, PpoReference.ExplainedVariance([1, 2, 3], [1, 2, 4]), 12);
    }
}
