namespace AlignLab.Core.Construction;

/// <summary>Counts of values in equal-width bins over [Min, Max]; the last bin includes Max. What users read to set
/// the η thresholds.</summary>
public sealed record RewardHistogram(double Min, double Max, IReadOnlyList<int> Counts)
{
    public double BinWidth => Counts.Count == 0 ? 0 : (Max - Min) / Counts.Count;

    public static RewardHistogram Build(IReadOnlyCollection<double> values, int bins = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (values.Count == 0) return new RewardHistogram(0, 0, new int[bins]);
        return Build(values, bins, values.Min(), values.Max());
    }

    /// <summary>Bins over a given range, so histograms of several sets can be compared bar by bar; values outside it
    /// go to the end bins.</summary>
    public static RewardHistogram Build(IReadOnlyCollection<double> values, int bins, double min, double max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (max == min) (min, max) = (min - 0.5, max + 0.5);
        var counts = new int[bins];
        foreach (var value in values)
            counts[Math.Clamp((int)Math.Floor((value - min) / (max - min) * bins), 0, bins - 1)]++;
        return new RewardHistogram(min, max, counts);
    }
}
