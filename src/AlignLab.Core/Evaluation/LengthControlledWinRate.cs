namespace AlignLab.Core.Evaluation;

/// <summary>A length-controlled win rate and the fit behind it (<see cref="LengthControlledWinRate.Fit"/>).</summary>
/// <param name="Value">The win rate, in percent, that the fit predicts when the two responses are equally long:
/// 100·sigmoid(<paramref name="Theta"/>).</param>
/// <param name="Theta">The intercept θ, in logits.</param>
/// <param name="Phi">The weight φ of the length term tanh(d/σ); 0 when the length term is dropped.</param>
/// <param name="Sigma">σ, the sample standard deviation of the length differences; 0 when the length term is dropped.</param>
/// <param name="Iterations">The Newton steps taken; 0 when the length term is dropped (θ is then in closed form).</param>
/// <param name="Converged">Whether θ and φ are the maximum-likelihood estimates: the score equations hold at a point
/// strictly inside the bounds (|θ|, |φ| &lt; <see cref="LengthControlledWinRate.Bound"/>). False when a parameter ended
/// on a bound, as under separation, where the likelihood keeps rising towards infinity, or when the iterations ran
/// out.</param>
public sealed record LengthControlledFit(double Value, double Theta, double Phi, double Sigma, int Iterations, bool Converged);

/// <summary>The length-controlled win rate of a model against a baseline, after AlpacaEval 2 (Dubois et al., 2024,
/// "Length-Controlled AlpacaEval"): a judge that favours longer answers inflates the plain win rate
/// (<see cref="WinRate"/>), so a logistic model of the preferences is fitted with the length difference as a covariate,
/// and the rate it predicts at equal lengths is reported.
/// <para>The model, for item i with preference y_i ∈ [0, 1] for the model (1 a win, ½ a tie, 0 a loss, or the mean of
/// the two judged orders) and length difference d_i = model's length − baseline's length:
/// logit P(win_i) = θ + φ·tanh(d_i/σ), with σ the sample (n − 1) standard deviation of the d_i, as pandas' std in
/// AlpacaEval's code. θ and φ maximise the Bernoulli log-likelihood with fractional targets,
/// Σ y_i·log p_i + (1 − y_i)·log(1 − p_i), without any penalty. It is a simplification of AlpacaEval 2's GLM for one
/// model against one baseline: the per-instruction difficulty term and the regularisation towards the baseline's
/// weights are left out. With fewer than two items, or when all the d_i are equal (σ = 0), the length term is
/// dropped (φ = 0) and θ = logit(mean y), so the value is the plain win rate.</para>
/// <para>The fit is Newton–Raphson on the 2×2 system with step halving (at most <see cref="MaxIterations"/> steps),
/// kept within |θ|, |φ| ≤ <see cref="Bound"/>: it is the maximum of the likelihood over that box, which is unique as
/// the log-likelihood is strictly concave. Where the maximum-likelihood estimate does not exist (separation: all wins,
/// all losses, or outcomes split by length) a parameter ends on the bound, the value stays finite (all wins give
/// 100·sigmoid(20) ≈ 99.9999998) and <see cref="LengthControlledFit.Converged"/> is false.</para></summary>
public static class LengthControlledWinRate
{
    /// <summary>One judged item: the preference for the model over the baseline in [0, 1], and the two responses'
    /// lengths, in whatever unit the caller chooses (characters, tokens), the same for both.</summary>
    public sealed record Item(double Preference, double ModelLength, double BaselineLength);

    /// <summary>The bound on |θ| and |φ|, in logits.</summary>
    public const double Bound = 20;

    /// <summary>The most Newton steps a fit takes.</summary>
    public const int MaxIterations = 100;

    // The score equations count as solved when each is within this much per item.
    private const double Tolerance = 1e-12;

    /// <summary>Fits θ and φ to <paramref name="items"/> (see the class summary).</summary>
    /// <exception cref="ArgumentException">No items, a preference outside [0, 1] or a length that is not finite.</exception>
    public static LengthControlledFit Fit(IReadOnlyList<Item> items)
    {
        if (items.Count == 0) throw new ArgumentException("A win rate needs at least one item", nameof(items));
        foreach (var item in items)
        {
            if (!(item.Preference >= 0 && item.Preference <= 1))
                throw new ArgumentException($"A preference lies in [0, 1], not {item.Preference}", nameof(items));
            if (!double.IsFinite(item.ModelLength) || !double.IsFinite(item.BaselineLength))
                throw new ArgumentException("Lengths must be finite", nameof(items));
        }

        var n = items.Count;
        var y = items.Select(i => i.Preference).ToArray();
        var d = items.Select(i => i.ModelLength - i.BaselineLength).ToArray();
        var meanY = y.Average();
        var theta = Clamp(Math.Log(meanY / (1 - meanY)));
        var meanD = d.Average();
        var sigma = n < 2 ? 0 : Math.Sqrt(d.Sum(v => (v - meanD) * (v - meanD)) / (n - 1));
        if (sigma == 0) return new(100 * Sigmoid(theta), theta, 0, 0, 0, Math.Abs(theta) < Bound);

        var x = d.Select(v => Math.Tanh(v / sigma)).ToArray();
        double phi = 0;
        var iterations = 0;
        var solved = false;
        while (true)
        {
            // The gradient g and the negated Hessian H of the log-likelihood at (θ, φ).
            double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
            for (int i = 0; i < n; i++)
            {
                var eta = theta + phi * x[i];
                var residual = y[i] - Sigmoid(eta);
                var e = Math.Exp(-Math.Abs(eta));
                var w = e / ((1 + e) * (1 + e)); // p(1 − p), which stays above 0 where p rounds to 1
                g0 += residual;
                g1 += residual * x[i];
                h00 += w;
                h01 += w * x[i];
                h11 += w * x[i] * x[i];
            }

            // A parameter on a bound with the likelihood rising outwards is held there; the others take a Newton step.
            var holdTheta = Math.Abs(theta) >= Bound && g0 * theta > 0;
            var holdPhi = Math.Abs(phi) >= Bound && g1 * phi > 0;
            if ((holdTheta || Math.Abs(g0) <= Tolerance * n) && (holdPhi || Math.Abs(g1) <= Tolerance * n))
            {
                solved = true;
                break;
            }
            if (iterations == MaxIterations) break;
            double stepTheta, stepPhi;
            var det = h00 * h11 - h01 * h01;
            if (holdTheta) (stepTheta, stepPhi) = (0.0, g1 / h11);
            else if (holdPhi || !(det > 0)) (stepTheta, stepPhi) = (g0 / h00, 0.0);
            else (stepTheta, stepPhi) = ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det);

            // Step halving: the first of 1, ½, ¼, … that does not lower the likelihood (within rounding), within the bounds.
            var current = LogLikelihood(y, x, theta, phi);
            var moved = false;
            var t = 1.0;
            for (int halving = 0; halving < 30; halving++, t /= 2)
            {
                var (nextTheta, nextPhi) = (Clamp(theta + t * stepTheta), Clamp(phi + t * stepPhi));
                if (nextTheta == theta && nextPhi == phi) break;
                if (LogLikelihood(y, x, nextTheta, nextPhi) >= current - 1e-12 * (1 + Math.Abs(current)))
                {
                    (theta, phi, moved) = (nextTheta, nextPhi, true);
                    iterations++;
                    break;
                }
            }
            if (!moved) break;
        }
        var converged = solved && Math.Abs(theta) < Bound && Math.Abs(phi) < Bound;
        return new(100 * Sigmoid(theta), theta, phi, sigma, iterations, converged);
    }

    /// <summary>The percentile-bootstrap interval of the length-controlled win rate, in percent: the items are resampled
    /// and the whole fit, σ included, is redone on each resample, by <see cref="Bootstrap.Interval"/> with the same
    /// <paramref name="resamples"/>, <paramref name="seed"/> and <paramref name="level"/>, so the same seed gives the
    /// same interval.</summary>
    /// <exception cref="ArgumentException">As <see cref="Fit"/>.</exception>
    public static (double Low, double High) Interval(IReadOnlyList<Item> items, int resamples = 1000, int seed = 0, double level = 0.95)
    {
        if (items.Count == 0) throw new ArgumentException("A win rate needs at least one item", nameof(items));
        // Bootstrap resamples doubles, so it is given the items' indices and the statistic looks the items up.
        double[] indices = [.. Enumerable.Range(0, items.Count).Select(i => (double)i)];
        return Bootstrap.Interval(indices, sample => Fit([.. sample.Select(i => items[(int)i])]).Value, resamples, seed, level);
    }

    private static double Clamp(double value) => Math.Clamp(value, -Bound, Bound);

    private static double Sigmoid(double eta) => eta >= 0 ? 1 / (1 + Math.Exp(-eta)) : Math.Exp(eta) / (1 + Math.Exp(eta));

    // Σ y·log p + (1 − y)·log(1 − p), with log sigmoid(η) = −(max(−η, 0) + log(1 + e^−|η|)) so that no term overflows.
    private static double LogLikelihood(double[] y, double[] x, double theta, double phi)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            var eta = theta + phi * x[i];
            var softplus = Math.Log(1 + Math.Exp(-Math.Abs(eta)));
            sum -= y[i] * (Math.Max(-eta, 0) + softplus) + (1 - y[i]) * (Math.Max(eta, 0) + softplus);
        }
        return sum;
    }
}
