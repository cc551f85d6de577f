using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Runs;

/// <summary>What a sweep's runs say about its hyperparameters, as the sweep page shows it: where each run sits on each
/// axis of the parallel-coordinates plot, how strongly each parameter goes with a chosen metric, and which settings
/// differ between runs at all.</summary>
public static class SweepAnalysis
{
    /// <summary>One run of the sweep: its parameters and its value of the chosen metric (null while it has none).</summary>
    public sealed record RunPoint(IReadOnlyDictionary<string, JsonNode?> Parameters, double? Metric);

    /// <summary>How a parameter goes with the metric: Pearson's r between the parameter's <see cref="Position"/> and the
    /// metric (null when either is constant or fewer than three runs have the metric), and the spread of the metric's
    /// means over the parameter's values (largest mean minus smallest), which also reads a parameter whose values have no
    /// order (FIGA's variants).</summary>
    public sealed record Importance(string Parameter, double? Correlation, double Spread, int Runs);

    /// <summary>Where a value sits on its axis: the number itself for a numeric axis, else its place in the grid's list.</summary>
    public static double Position(JsonNode? value, IReadOnlyList<JsonNode> axis)
    {
        if (axis.All(IsNumber) && IsNumber(value)) return value!.GetValue<double>();
        var index = axis.ToList().FindIndex(v => JsonNode.DeepEquals(v, value));
        return index < 0 ? double.NaN : index;
    }

    /// <summary>Every axis's importance for the metric, the strongest (by |r|, then spread) first.</summary>
    public static IReadOnlyList<Importance> Importances(IReadOnlyList<(string Parameter, IReadOnlyList<JsonNode> Values)> axes, IReadOnlyList<RunPoint> runs)
    {
        var measured = runs.Where(r => r.Metric is { } m && double.IsFinite(m)).ToList();
        var result = new List<Importance>();
        foreach (var (parameter, values) in axes)
        {
            var pairs = measured.Select(r => (X: Position(r.Parameters.GetValueOrDefault(parameter), values), Y: r.Metric!.Value))
                .Where(p => !double.IsNaN(p.X)).ToList();
            var means = pairs.GroupBy(p => p.X).Select(g => g.Average(p => p.Y)).ToList();
            var spread = means.Count > 0 ? means.Max() - means.Min() : 0;
            result.Add(new Importance(parameter, pairs.Count >= 3 ? Pearson([.. pairs.Select(p => p.X)], [.. pairs.Select(p => p.Y)]) : null, spread, pairs.Count));
        }
        return [.. result.OrderByDescending(i => Math.Abs(i.Correlation ?? 0)).ThenByDescending(i => i.Spread)];
    }

    /// <summary>Pearson's correlation coefficient; null when either variable is constant.</summary>
    public static double? Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? null : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The parameters whose values are not the same in every configuration (a missing one counts as different),
    /// in the order they first appear.</summary>
    public static IReadOnlyList<string> Differing(IReadOnlyList<IReadOnlyDictionary<string, JsonNode?>> configurations) =>
        [.. configurations.SelectMany(c => c.Keys).Distinct()
            .Where(name => configurations.Select(c => c.TryGetValue(name, out var v) ? v?.ToJsonString() ?? "null" : "\u0000missing").Distinct().Count() > 1)];

    private static bool IsNumber(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number;
}
