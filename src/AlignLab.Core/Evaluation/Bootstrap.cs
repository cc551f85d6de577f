namespace AlignLab.Core.Evaluation;

/// <summary>Percentile-bootstrap confidence intervals (Efron and Tibshirani, 1993, ch. 13) for a statistic of per-item
/// scores, so that an evaluation can say how far a mean over a few hundred prompts is to be trusted. Seeded, so that a
/// report computes the same interval every time it is rendered.</summary>
public static class Bootstrap
{
    /// <summary>The percentile-bootstrap interval of <paramref name="statistic"/>: <paramref name="resamples"/> samples
    /// of <paramref name="values"/>' size are drawn with replacement from <c>new Random(seed)</c>, the statistic is
    /// computed on each, and the interval is the empirical (1 − level)/2 and 1 − (1 − level)/2 quantiles of the sorted
    /// results, interpolated linearly between order statistics at position q·(R − 1), as numpy.percentile's default
    /// ('linear') does. A single value gives the statistic of that value at both ends, which every resample would
    /// repeat.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static (double Low, double High) Interval(IReadOnlyList<double> values, Func<IReadOnlyList<double>, double> statistic,
        int resamples = 1000, int seed = 0, double level = 0.95)
    {
        if (values.Count == 0) throw new ArgumentException("A bootstrap interval needs at least one value", nameof(values));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The level lies strictly between 0 and 1");
        if (values.Count == 1)
        {
            var only = statistic(values);
            return (only, only);
        }

        var random = new Random(seed);
        var results = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            var sample = new double[values.Count];
            for (int i = 0; i < sample.Length; i++) sample[i] = values[random.Next(values.Count)];
            results[b] = statistic(sample);
        }
        Array.Sort(results);
        var tail = (1 - level) / 2;
        return (Quantile(results, tail), Quantile(results, 1 - tail));
    }

    /// <summary>The arithmetic mean, the statistic most intervals are of.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Mean(IReadOnlyList<double> values) =>
        values.Count == 0 ? throw new ArgumentException("The mean of no values is undefined", nameof(values)) : values.Average();

    // numpy's 'linear' method on sorted values: position q·(R − 1), between the order statistics on either side.
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
