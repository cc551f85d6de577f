using AlignLab.Core.Ppo;

namespace AlignLab.Core.Tests;

/// <summary>TRL's score scaling, normalisation and clipping over two batches of rewards, worked by hand.</summary>
public class ScoreScalingTests
{
    // Batch 1, [1, 3]: mean 2, population variance 1; merged with the initial moments (count 1e-24) the running mean is 2,
    // variance 1, count 2, sample std √(1 · 2 / 1) = √2.
    // Batch 2, [5, 7]: mean 6, variance 1, δ = 4, count 4; Σ = 1·2 + 16·2·2/4 + 1·2 = 20; mean 2 + 4·2/4 = 4,
    // variance 20/4 = 5, sample std √(5 · 4 / 3) = √(20/3).
    private static readonly double Std2 = Math.Sqrt(2) + ScoreScaling.Epsilon, Std4 = Math.Sqrt(20.0 / 3) + ScoreScaling.Epsilon;

    [Fact]
    public void NormalisationSubtractsTheRunningMeanAndDividesByTheRunningStdIncludingTheBatch()
    {
        var running = new RunningMoments();
        var norm = new ScoreScaling(Scale: true, Normalize: true, Clip: 0);
        Close([-1 / Std2, 1 / Std2], norm.Apply([1, 3], running));
        Close([(5 - 4) / Std4, (7 - 4) / Std4], norm.Apply([5, 7], running));
        Assert.Equal((4.0, 5.0, 4.0), (running.Mean, running.Variance, Math.Round(running.Count, 12)));
    }

    [Fact]
    public void ScalingAloneDividesAndClippingBoundsBothWays()
    {
        var running = new RunningMoments();
        var scale = new ScoreScaling(Scale: true, Normalize: false, Clip: 0);
        Close([1 / Std2, 3 / Std2], scale.Apply([1, 3], running));
        Close([5 / Std4, 7 / Std4], scale.Apply([5, 7], running));

        var clipped = new ScoreScaling(Scale: true, Normalize: true, Clip: 1.0);
        var again = new RunningMoments();
        clipped.Apply([1, 3], again);
        Close([(5 - 4) / Std4, 1.0], clipped.Apply([5, 7], again));            // 3/√(20/3) ≈ 1.16 is cut to 1

        Assert.Equal([-10.0, 2.5, 10.0], new ScoreScaling(false, false, 10).Apply([-12, 2.5, 40], new RunningMoments()));
    }

    [Fact]
    public void RestoredMomentsContinueAsIfNeverInterrupted()
    {
        var straight = new RunningMoments();
        straight.Update([1, 3]);
        straight.Update([5, 7]);
        var first = new RunningMoments();
        first.Update([1, 3]);
        var resumed = new RunningMoments();
        resumed.Reset(first.Mean, first.Variance, first.Count);
        resumed.Update([5, 7]);
        Assert.Equal((straight.Mean, straight.Variance, straight.Std), (resumed.Mean, resumed.Variance, resumed.Std));
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}
