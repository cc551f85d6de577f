using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

/// <summary>The length-controlled win rate: the cases whose maximum-likelihood fit has a closed form (no length term, a
/// design symmetric in length, two length groups, which the two parameters fit exactly), the score equations at a fit
/// that has none, a judge that rewards or punishes length, separation, and the bootstrap interval.</summary>
public sealed class LengthControlledWinRateTests
{
    private static LengthControlledWinRate.Item I(double preference, double modelLength, double baselineLength) =>
        new(preference, modelLength, baselineLength);

    private static double Logit(double p) => Math.Log(p / (1 - p));

    private static double Sigmoid(double eta) => 1 / (1 + Math.Exp(-eta));

    [Fact]
    public void WhenTheOutcomesDoNotDependOnLengthTheValueIsThePlainWinRate()
    {
        // d = ±300 (both wins), ±100 (both ¼), ±50 (both ½): the outcomes are the same at d and −d, so (θ, φ) and (θ, −φ)
        // have the same likelihood, and as it is strictly concave its maximum has φ = 0; then Σ(y − p) = 0 gives
        // p = mean y = (2 + ½ + 1)/6 = 7/12 and θ = logit(7/12) = ln(7/5). σ = √((2·300² + 2·100² + 2·50²)/5) = √41000.
        var fit = LengthControlledWinRate.Fit([
            I(1, 500, 200), I(1, 200, 500), I(0.25, 300, 200), I(0.25, 200, 300), I(0.5, 250, 200), I(0.5, 200, 250)]);
        Assert.True(fit.Converged);
        Assert.Equal(0, fit.Phi, 1e-9);
        Assert.Equal(Math.Log(7.0 / 5), fit.Theta, 1e-9);
        Assert.Equal(100 * 7.0 / 12, fit.Value, 1e-9);
        Assert.Equal(Math.Sqrt(41000), fit.Sigma, 1e-9);
    }

    [Fact]
    public void EqualLengthDifferencesOrASingleItemDropTheLengthTerm()
    {
        // Every d is 40: tanh(d/σ) would be the same for every item, collinear with θ; σ = 0 drops the term, and θ is
        // logit(mean y) in closed form: mean (1 + 0 + ½ + ¾)/4 = 9/16, θ = ln(9/7), value 56.25.
        var equal = LengthControlledWinRate.Fit([I(1, 140, 100), I(0, 240, 200), I(0.5, 90, 50), I(0.75, 40, 0)]);
        Assert.Equal((0.0, 0.0, 0, true), (equal.Phi, equal.Sigma, equal.Iterations, equal.Converged));
        Assert.Equal(Math.Log(9.0 / 7), equal.Theta, 1e-12);
        Assert.Equal(56.25, equal.Value, 1e-9);

        // One item has no standard deviation: its preference ¾ is the rate, θ = logit(¾) = ln 3.
        var single = LengthControlledWinRate.Fit([I(0.75, 10, 300)]);
        Assert.Equal((0.0, 0.0, true), (single.Phi, single.Sigma, single.Converged));
        Assert.Equal(Math.Log(3), single.Theta, 1e-12);
        Assert.Equal(75, single.Value, 1e-9);
    }

    [Fact]
    public void TwoSymmetricLengthGroupsAreFittedInClosedForm()
    {
        // d = +100, +100, −100, −100: mean 0, σ = √(4·100²/3) = 200/√3, so x = tanh(±√3/2) = ±c. With two x values the
        // two parameters fit each group's mean exactly: sigmoid(θ + φc) = p₊ = (1 + ½)/2 = ¾ and sigmoid(θ − φc) =
        // p₋ = (¼ + 0)/2 = ⅛. θ = (logit ¾ + logit ⅛)/2 = (ln 3 − ln 7)/2 = ln(3/7)/2, φ = (ln 3 + ln 7)/(2c) = ln 21/(2c),
        // and 100·sigmoid(θ) = 100/(1 + √(7/3)) = 100·√3/(√3 + √7) ≈ 39.56.
        var fit = LengthControlledWinRate.Fit([I(1, 300, 200), I(0.5, 300, 200), I(0.25, 100, 200), I(0, 100, 200)]);
        var c = Math.Tanh(Math.Sqrt(3) / 2);
        Assert.True(fit.Converged);
        Assert.Equal(200 / Math.Sqrt(3), fit.Sigma, 1e-9);
        Assert.Equal(Math.Log(3.0 / 7) / 2, fit.Theta, 1e-9);
        Assert.Equal(Math.Log(21) / (2 * c), fit.Phi, 1e-9);
        Assert.Equal(100 * Math.Sqrt(3) / (Math.Sqrt(3) + Math.Sqrt(7)), fit.Value, 1e-9);
        Assert.InRange(fit.Iterations, 1, LengthControlledWinRate.MaxIterations);
    }

    [Fact]
    public void TheScoreEquationsHoldAtTheFit()
    {
        // Ten items with ten length differences and no closed form; the fractional preferences on both sides of d = 0 make
        // the data non-separable, so the maximum-likelihood estimate exists and solves Σ(y − p) = 0 and Σ(y − p)·x = 0,
        // with σ and x recomputed here.
        double[] model = [120, 340, 80, 500, 260, 150, 410, 90, 300, 220];
        double[] baseline = [200, 210, 130, 260, 280, 170, 250, 160, 240, 230];
        double[] y = [0, 1, 0.5, 1, 0.25, 0, 0.75, 0.5, 1, 0];
        var fit = LengthControlledWinRate.Fit([.. y.Select((p, i) => I(p, model[i], baseline[i]))]);
        Assert.True(fit.Converged);

        var d = model.Zip(baseline, (m, b) => m - b).ToArray();
        var sigma = Math.Sqrt(d.Sum(v => (v - d.Average()) * (v - d.Average())) / (d.Length - 1));
        Assert.Equal(sigma, fit.Sigma, 1e-9);
        double intercept = 0, length = 0;
        for (int i = 0; i < d.Length; i++)
        {
            var x = Math.Tanh(d[i] / sigma);
            var residual = y[i] - Sigmoid(fit.Theta + fit.Phi * x);
            intercept += residual;
            length += residual * x;
        }
        Assert.Equal(0, intercept, 1e-9);
        Assert.Equal(0, length, 1e-9);
        Assert.True(fit.Phi > 0, "the longer answers won more here");
    }

    [Fact]
    public void AJudgeThatRewardsLengthIsDiscountedAndOneThatPunishesItIsNot()
    {
        // Four answers 400 longer than the baseline's (preferences 1, 1, 1, ¾: p₊ = 15/16) and four 40 shorter (0, 0, ¼, 0:
        // p₋ = 1/16): the plain rate is 50 %. d has mean 180 and deviations ±220, σ = 220·√(8/7); x₊ = tanh(400/σ),
        // x₋ = tanh(−40/σ). Two x values are fitted exactly: θ + φx± = logit p± = ±ln 15, so
        // θ = (x₊·logit p₋ − x₋·logit p₊)/(x₊ − x₋) = −ln 15·(x₊ + x₋)/(x₊ − x₋) ≈ −1.88, a rate ≈ 13 %: at equal length
        // the model is close to the short answers, which lost.
        var sigma = 220 * Math.Sqrt(8.0 / 7);
        var (xLong, xShort) = (Math.Tanh(400 / sigma), Math.Tanh(-40 / sigma));
        var theta = -Math.Log(15) * (xLong + xShort) / (xLong - xShort);

        LengthControlledWinRate.Item[] rewarded = [
            I(1, 600, 200), I(1, 600, 200), I(1, 600, 200), I(0.75, 600, 200),
            I(0, 160, 200), I(0, 160, 200), I(0.25, 160, 200), I(0, 160, 200)];
        var lengthy = LengthControlledWinRate.Fit(rewarded);
        Assert.Equal(50, 100 * rewarded.Average(i => i.Preference), 1e-12);
        Assert.True(lengthy.Converged);
        Assert.Equal(theta, lengthy.Theta, 1e-9);
        Assert.Equal(100 * Sigmoid(theta), lengthy.Value, 1e-9);
        Assert.InRange(lengthy.Value, 10, 20);

        // The mirror image (the long answers lose as often as they won above) is the same fit with θ and φ negated: ≈ 87 %.
        var punished = LengthControlledWinRate.Fit([.. rewarded.Select(i => i with { Preference = 1 - i.Preference })]);
        Assert.True(punished.Converged);
        Assert.Equal(-theta, punished.Theta, 1e-9);
        Assert.Equal(-lengthy.Phi, punished.Phi, 1e-9);
        Assert.InRange(punished.Value, 80, 90);
    }

    [Fact]
    public void SeparationEndsOnTheBoundWithAFiniteValue()
    {
        // All wins: the likelihood rises with θ without end, so θ stops on the bound, the value is 100·sigmoid(20) =
        // 100/(1 + e⁻²⁰) ≈ 99.9999998, and the fit is not reported as converged. All losses mirror it.
        LengthControlledWinRate.Item[] wins = [I(1, 100, 50), I(1, 80, 120), I(1, 300, 200), I(1, 90, 90), I(1, 10, 400)];
        var allWins = LengthControlledWinRate.Fit(wins);
        Assert.Equal(LengthControlledWinRate.Bound, allWins.Theta);
        Assert.Equal(100 / (1 + Math.Exp(-20)), allWins.Value, 1e-9);
        Assert.True(double.IsFinite(allWins.Value) && allWins.Value < 100);
        Assert.False(allWins.Converged);

        var allLosses = LengthControlledWinRate.Fit([.. wins.Select(i => i with { Preference = 0 })]);
        Assert.Equal(-LengthControlledWinRate.Bound, allLosses.Theta);
        Assert.Equal(100 / (1 + Math.Exp(20)), allLosses.Value, 1e-9);
        Assert.False(allLosses.Converged);

        // The model wins exactly when its answer is the longer: Σ(y − p)·x > 0 at every (θ, φ), so φ ends on the upper
        // bound; θ stays inside and the value is a finite rate. The reverse ends on the lower bound.
        LengthControlledWinRate.Item[] longerWins = [
            I(1, 300, 100), I(1, 250, 200), I(0, 100, 150), I(0, 50, 300), I(1, 400, 100), I(0, 180, 200)];
        var separated = LengthControlledWinRate.Fit(longerWins);
        Assert.Equal(LengthControlledWinRate.Bound, separated.Phi);
        Assert.InRange(separated.Value, 1e-6, 100 - 1e-6);
        Assert.False(separated.Converged);
        var reversed = LengthControlledWinRate.Fit([.. longerWins.Select(i => i with { Preference = 1 - i.Preference })]);
        Assert.Equal(-LengthControlledWinRate.Bound, reversed.Phi);
        Assert.False(reversed.Converged);
    }

    [Fact]
    public void TheBootstrapIntervalHoldsTheEstimateAndIsSeeded()
    {
        // Forty items, preferences cycling through 1, ½, 0, ¾, ¼, 1, 0 and answers 100 shorter to 264 longer than the
        // baseline's: no separation in the data or, at this size, in a resample.
        double[] cycle = [1, 0.5, 0, 0.75, 0.25, 1, 0];
        LengthControlledWinRate.Item[] items = [.. Enumerable.Range(0, 40).Select(i => I(cycle[i % 7], 200 + 13 * (i * 11 % 29), 300))];
        var value = LengthControlledWinRate.Fit(items).Value;
        var (low, high) = LengthControlledWinRate.Interval(items, seed: 3);
        Assert.InRange(value, low, high);
        Assert.True(high - low > 1, $"[{low}, {high}] is too narrow for forty items");
        Assert.Equal((low, high), LengthControlledWinRate.Interval(items, seed: 3));
        Assert.NotEqual((low, high), LengthControlledWinRate.Interval(items, seed: 4));
        Assert.NotEqual((low, high), LengthControlledWinRate.Interval(items, resamples: 200, seed: 3));

        // One item: every resample is that item, so both ends are its fit, as Bootstrap gives.
        var single = LengthControlledWinRate.Fit([I(0.75, 10, 300)]).Value;
        Assert.Equal((single, single), LengthControlledWinRate.Interval([I(0.75, 10, 300)]));
    }

    [Fact]
    public void InvalidItemsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LengthControlledWinRate.Fit([]));
        Assert.Throws<ArgumentException>(() => LengthControlledWinRate.Interval([]));
        Assert.Throws<ArgumentException>(() => LengthControlledWinRate.Fit([I(1.5, 10, 20), I(0, 20, 10)]));
        Assert.Throws<ArgumentException>(() => LengthControlledWinRate.Fit([I(double.NaN, 10, 20)]));
        Assert.Throws<ArgumentException>(() => LengthControlledWinRate.Fit([I(1, double.PositiveInfinity, 20)]));
    }
}
