namespace AlignLab.Web.Components.Shared;

/// <summary>The points of one metric, kept sorted by step; a point for a step already present replaces it. Each point
/// keeps the time it was logged, so that a chart can also plot it against the run's wall time.</summary>
public sealed class MetricSeries(string name)
{
    private readonly SortedList<long, double> _values = new();
    private readonly SortedList<long, DateTimeOffset> _times = new();

    public string Name { get; } = name;
    public int Count => _values.Count;
    public IList<long> Steps => _values.Keys;
    public IList<double> Values => _values.Values;
    public IList<DateTimeOffset> Times => _times.Values;

    /// <summary>Where the run's wall time starts (its first point of any metric); the series' own first time when unset.</summary>
    public DateTimeOffset? Origin { get; set; }

    public void Set(long step, double value, DateTimeOffset time = default)
    {
        _values[step] = value;
        _times[step] = time;
    }

    /// <summary>Seconds from <see cref="Origin"/> to each point, in step order.</summary>
    public double[] Seconds()
    {
        var times = new DateTimeOffset[_times.Count];
        _times.Values.CopyTo(times, 0);
        var origin = Origin ?? (times.Length == 0 ? default : times.Min());
        return [.. times.Select(t => (t - origin).TotalSeconds)];
    }
}
