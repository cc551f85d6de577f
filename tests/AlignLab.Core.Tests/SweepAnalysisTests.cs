using System.Text.Json.Nodes;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests;

/// <summary>A sweep's parameter importance and configuration differences, against values worked out by hand.</summary>
public class SweepAnalysisTests
{
    private static SweepAnalysis.RunPoint Run(double lr, string variant, double? metric) =>
        new(new Dictionary<string, JsonNode?> { ["learning_rate"] = lr, ["good_labels"] = variant, ["max_steps"] = 10 }, metric);

    [Fact]
    public void CorrelationAndSpreadAreWhatTheRunsSayByHand()
    {
        (string, IReadOnlyList<JsonNode>)[] axes =
        [
            ("learning_rate", [1.0, 2.0, 3.0]),
            ("good_labels", ["levenshtein", "bag_of_words"]),
        ];
        // metric = lr exactly for levenshtein, lr + 1 for bag_of_words; one run without the metric yet.
        SweepAnalysis.RunPoint[] runs =
        [
            Run(1, "levenshtein", 1), Run(2, "levenshtein", 2), Run(3, "levenshtein", 3),
            Run(1, "bag_of_words", 2), Run(2, "bag_of_words", 3), Run(3, "bag_of_words", null),
        ];
        var importances = SweepAnalysis.Importances(axes, runs).ToDictionary(i => i.Parameter);

        // learning_rate: x = 1,2,3,1,2 and y = 1,2,3,2,3: mean x 1.8, mean y 2.2; Σdxdy = 2.2, Σdx² = 2.8, Σdy² = 2.8 → r = 2.2/2.8.
        Assert.Equal(2.2 / 2.8, importances["learning_rate"].Correlation!.Value, 12);
        Assert.Equal(5, importances["learning_rate"].Runs);
        // Means by lr: 1 → 1.5, 2 → 2.5, 3 → 3: spread 1.5.
        Assert.Equal(1.5, importances["learning_rate"].Spread, 12);
        // good_labels at its place in the grid (0, 0, 0, 1, 1): means 2 and 2.5 → spread 0.5; r: x mean 0.4, y mean 2.2,
        // Σdxdy = (−0.4)(−1.2 + −0.2 + 0.8) + 0.6(−0.2 + 0.8) = 0.24 + 0.36 = 0.6, Σdx² = 1.2, Σdy² = 2.8.
        Assert.Equal(0.5, importances["good_labels"].Spread, 12);
        Assert.Equal(0.6 / Math.Sqrt(1.2 * 2.8), importances["good_labels"].Correlation!.Value, 12);
        Assert.Equal(["learning_rate", "good_labels"], SweepAnalysis.Importances(axes, runs).Select(i => i.Parameter));
    }

    [Fact]
    public void AConstantMetricHasNoCorrelationAndOnlyDifferingSettingsAreListed()
    {
        (string, IReadOnlyList<JsonNode>)[] axes = [("learning_rate", [1.0, 2.0, 3.0])];
        var importance = SweepAnalysis.Importances(axes, [Run(1, "a", 5), Run(2, "a", 5), Run(3, "a", 5)]).Single();
        Assert.Null(importance.Correlation);
        Assert.Equal(0, importance.Spread);

        var configurations = new[] { Run(1, "a", 0), Run(2, "a", 0), Run(2, "b", 0) }.Select(r => r.Parameters).ToList();
        Assert.Equal(["learning_rate", "good_labels"], SweepAnalysis.Differing(configurations));
        Assert.Equal(1.5, SweepAnalysis.Position(JsonValue.Create(1.5), [JsonValue.Create(1.0), JsonValue.Create(2.0)]));
        Assert.Equal(1, SweepAnalysis.Position(JsonValue.Create("b"), [JsonValue.Create("a"), JsonValue.Create("b")]));
    }
}
