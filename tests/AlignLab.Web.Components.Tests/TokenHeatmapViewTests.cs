using System.Globalization;
using AlignLab.Web.Components.Shared;
using AlignLab.Web.Heatmaps;
using Bunit;

namespace AlignLab.Web.Components.Tests;

/// <summary>The heatmap view with hand-made pairs: each token's colour follows the diverging scale relative to the
/// largest |value|, hovers name token, value and label, edited tokens are underlined, and sorting reorders pairs.</summary>
public sealed class TokenHeatmapViewTests : ComponentTestContext
{
    private static HeatmapPair Pair(string instruction, params (string Text, double Value, bool Changed)[] first) =>
        new(instruction, new HeatmapRow("preferred", [.. first.Select(t => new HeatmapToken(t.Text, t.Value, t.Changed))]),
            new HeatmapRow("other", [new HeatmapToken(" x", 0, false)]));

    private IRenderedComponent<TokenHeatmapView> Render(params HeatmapPair[] pairs) => Render("file", pairs);

    private IRenderedComponent<TokenHeatmapView> Render(string order, params HeatmapPair[] pairs)
    {
        EnsurePopoverProvider();
        return Render<TokenHeatmapView>(p => p.Add(c => c.Pairs, pairs).Add(c => c.Title, "Per-token rewards").Add(c => c.ValueName, "r")
            .Add(c => c.InitialOrder, order));
    }

    [Fact]
    public void ColoursFollowTheDivergingScaleRelativeToTheLargestValue()
    {
        // Largest |value| is 2: +2 is full blue (alpha 0.85), −1 half orange (0.425), 0 transparent.
        var view = Render(Pair("Q1", (" Tokyo", 2, true), (" is", 0, false), (" Rome", -1, true)));
        var tokens = view.FindAll("[data-row='preferred'] .hm-token");
        Assert.Equal([" Tokyo", " is", " Rome"], tokens.Select(t => t.TextContent));
        Assert.Equal("background-color: rgba(33, 102, 172, 0.85)", tokens[0].GetAttribute("style"));
        Assert.Equal("background-color: rgba(33, 102, 172, 0)", tokens[1].GetAttribute("style"));
        Assert.Equal("background-color: rgba(179, 88, 6, 0.425)", tokens[2].GetAttribute("style"));
        Assert.Equal("' Rome' · r = -1 · changed by the edit", tokens[2].GetAttribute("title"));
        Assert.Equal("' is' · r = 0 · unchanged", tokens[1].GetAttribute("title"));
        Assert.Equal([true, false, true], tokens.Select(t => t.ClassList.Contains("hm-changed")));
        Assert.Equal("-1", tokens[2].GetAttribute("data-value"));
        // The legend spans the same scale, and the row's mean is (2 + 0 − 1) / 3.
        Assert.Contains("−2", view.Find("[data-testid='heatmap-legend']").TextContent);
        Assert.Contains("+2", view.Find("[data-testid='heatmap-legend']").TextContent);
        Assert.Contains("mean r " + (1.0 / 3).ToString("0.###", CultureInfo.InvariantCulture), view.Find("[data-row='preferred'] .heatmap-label").TextContent);
    }

    [Fact]
    public void PairsSortByLargestPenaltyOrMostEdited()
    {
        HeatmapPair[] pairs =
        [
            Pair("mild", (" a", -0.5, true)),
            Pair("harsh", (" b", -3, false)),
            Pair("edited", (" c", 0.1, true), (" d", 0.2, true), (" e", 0.3, true)),
        ];
        string[] Order(string order) =>
            [.. Render(order, pairs).FindAll("[data-testid='heatmap-pair'] .mud-typography-subtitle2").Select(e => e.TextContent)];
        Assert.Equal(["mild", "harsh", "edited"], Order("file"));
        Assert.Equal(["harsh", "mild", "edited"], Order("penalty"));     // lowest value first: −3, −0.5, 0.1
        Assert.Equal(["edited", "mild", "harsh"], Order("edited"));      // changed tokens: 3, 1, 0
    }

    [Fact]
    public void PairsArePagedAndNothingRendersWithoutPairs()
    {
        var many = Enumerable.Range(1, TokenHeatmapView.PageSize + 3).Select(i => Pair($"Q{i}", (" t", i, false))).ToArray();
        var view = Render(many);
        Assert.Equal(TokenHeatmapView.PageSize, view.FindAll("[data-testid='heatmap-pair']").Count);
        Assert.NotEmpty(view.FindAll(".mud-pagination"));
        Assert.Empty(Render().FindAll("#token-heatmap"));
    }
}
