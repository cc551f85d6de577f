namespace AlignLab.Web.Components.Shared;

/// <summary>The points of one metric, kept sorted by step; a point for a step already present replaces it.</summary>
public sealed class MetricSeries(string name)
{
    private readonly SortedList<long, double> _points = new();

    public string Name { get; } = name;
    public int Count => _points.Count;
    public IList<long> Steps => _points.Keys;
    public IList<double> Values => _points.Values;

    public void Set(long step, double value) => _points[step] = value;
}
