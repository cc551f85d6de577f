using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

/// <summary>The percentile bootstrap: its degenerate cases, its interpolation between order statistics (worked out by
/// hand with a statistic whose results the test chooses), its seeding, and the width it gives a coin's mean.</summary>
public sealed class BootstrapTests
{
    [Fact]
    public void EqualValuesGiveAPointInterval()
    {
        // Every resample of five 0.7s is five 0.7s, whose mean is 0.7.
        Assert.Equal((0.7, 0.7), Bootstrap.Interval([0.7, 0.7, 0.7, 0.7, 0.7], Bootstrap.Mean));
        Assert.Equal((3.0, 3.0), Bootstrap.Interval([3.0], Bootstrap.Mean));
    }

    [Fact]
    public void TheEndsInterpolateLinearlyBetweenOrderStatistics()
    {
        // A statistic that ignores its sample and returns 30, 0, 20, 10 in turn: sorted 0, 10, 20, 30 (R = 4).
        // level 0.5 → quantiles 0.25 and 0.75 at positions 0.25·3 = 0.75 and 0.75·3 = 2.25:
        // low = 0 + 0.75·(10 − 0) = 7.5, high = 20 + 0.25·(30 − 20) = 22.5.
        double[] given = [30, 0, 20, 10];
        var call = 0;
        var (low, high) = Bootstrap.Interval([1.0, 2.0], _ => given[call++], resamples: 4, level: 0.5);
        Assert.Equal(4, call);
        Assert.Equal(7.5, low, 1e-9);
        Assert.Equal(22.5, high, 1e-9);

        // The defaults (R = 1000, level 0.95) on results 999, 998, …, 0: positions 0.025·999 = 24.975 and
        // 0.975·999 = 974.025, between consecutive integers, so the ends are the positions themselves.
        var next = 1000;
        var (low95, high95) = Bootstrap.Interval([1.0, 2.0], _ => --next);
        Assert.Equal(0, next);
        Assert.Equal(24.975, low95, 1e-9);
        Assert.Equal(974.025, high95, 1e-9);
    }

    [Fact]
    public void TheIntervalOfAFairCoinsMeanIsAboutTwoStandardErrorsEitherSideOfOneHalf()
    {
        // Property, for several seeds: 50 zeros and 50 ones have mean 0.5 and standard error √(0.25/100) = 0.05, so the
        // 95 % interval is about 0.5 ± 1.96·0.05 = [0.402, 0.598]: it holds 0.5, lies within [0.35, 0.65], and is
        // symmetric about 0.5 to well within 0.05 (1000 resamples put each end within about 0.01).
        double[] coin = [.. Enumerable.Repeat(0.0, 50), .. Enumerable.Repeat(1.0, 50)];
        for (int seed = 0; seed < 5; seed++)
        {
            var (low, high) = Bootstrap.Interval(coin, Bootstrap.Mean, seed: seed);
            Assert.InRange(low, 0.35, 0.5);
            Assert.InRange(high, 0.5, 0.65);
            Assert.True(Math.Abs(low + high - 1) < 0.05, $"seed {seed}: [{low}, {high}] is not symmetric about 0.5");
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervalAndAnotherSeedAnother()
    {
        // √1 … √40: resample means take so many values that two seeds all but never agree on both ends.
        double[] values = [.. Enumerable.Range(1, 40).Select(i => Math.Sqrt(i))];
        Assert.Equal(Bootstrap.Interval(values, Bootstrap.Mean, seed: 7), Bootstrap.Interval(values, Bootstrap.Mean, seed: 7));
        Assert.NotEqual(Bootstrap.Interval(values, Bootstrap.Mean, seed: 1), Bootstrap.Interval(values, Bootstrap.Mean, seed: 2));
    }

    [Fact]
    public void NoValuesHaveNoInterval()
    {
        Assert.Throws<ArgumentException>(() => Bootstrap.Interval([], Bootstrap.Mean));
        Assert.Throws<ArgumentException>(() => Bootstrap.Mean([]));
    }
}
