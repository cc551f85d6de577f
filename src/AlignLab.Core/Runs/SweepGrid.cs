using System.Text.Json.Nodes;

namespace AlignLab.Core.Runs;

/// <summary>A grid over some parameters of a run spec: every combination of the axes' values is one run.</summary>
public sealed record SweepGrid(IReadOnlyList<SweepGrid.Axis> Axes)
{
    /// <summary>At most this many runs: all of them fit one comparison.</summary>
    public const int MaxPoints = 10;

    public sealed record Axis(string Parameter, IReadOnlyList<JsonNode> Values);

    /// <summary>The points in order (the last axis varies fastest), each a parameter → value map.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, JsonNode>> Points()
    {
        IEnumerable<Dictionary<string, JsonNode>> points = [new(StringComparer.Ordinal)];
        foreach (var axis in Axes)
            points = points.SelectMany(point => axis.Values.Select(v => new Dictionary<string, JsonNode>(point, StringComparer.Ordinal) { [axis.Parameter] = v.DeepClone() })).ToList();
        return Axes.Count == 0 ? [] : [.. points];
    }

    public int Count => Axes.Count == 0 ? 0 : Axes.Aggregate(1, (n, a) => n * a.Values.Count);

    /// <summary>"learning_rate=0.001, beta=0.5": how a point is told apart in run names.</summary>
    public static string Label(IReadOnlyDictionary<string, JsonNode> point) =>
        string.Join(", ", point.Select(p => $"{p.Key}={p.Value.ToJsonString()}"));

    public JsonObject ToJson() => new(Axes.Select(a => KeyValuePair.Create(a.Parameter, (JsonNode?)new JsonArray([.. a.Values.Select(v => v.DeepClone())]))));
}
