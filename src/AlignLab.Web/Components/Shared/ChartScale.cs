namespace AlignLab.Web.Components.Shared;

/// <summary>What the metric chart does to values before drawing them: TensorBoard-style smoothing and a log scale.</summary>
public static class ChartScale
{
    /// <summary>Exponential moving average with weight <paramref name="weight"/> ∈ [0, 1), debiased as TensorBoard does
    /// (divided by 1 − weight^n after n points), so the first points are not pulled towards zero. Non-finite values
    /// are passed through and left out of the average.</summary>
    public static double[] Smooth(IList<double> values, double weight)
    {
        var smoothed = new double[values.Count];
        if (weight <= 0)
        {
            values.CopyTo(smoothed, 0);
            return smoothed;
        }
        double last = 0;
        int n = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                smoothed[i] = values[i];
                continue;
            }
            last = last * weight + (1 - weight) * values[i];
            n++;
            smoothed[i] = last / (1 - Math.Pow(weight, n));
        }
        return smoothed;
    }

    /// <summary>The value as plotted: log10 on a log scale, where values ≤ 0 cannot be drawn (NaN).</summary>
    public static double Plotted(double value, bool log) => !log ? value : value > 0 ? Math.Log10(value) : double.NaN;
}
