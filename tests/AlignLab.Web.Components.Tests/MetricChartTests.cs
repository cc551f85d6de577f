using AlignLab.Core.Runs;
using AlignLab.Web.Components.Shared;
using Bunit;

namespace AlignLab.Web.Components.Tests;

/// <summary>The metric chart's smoothing, log scale and single points, and the run page's ETA, against hand-computed values.</summary>
public sealed class MetricChartTests : ComponentTestContext
{
    [Fact]
    public void SmoothingIsADebiasedMovingAverage()
    {
        // weight 0.5: after 1 → 0.5 / (1 − 0.5) = 1; after 3 → (0.25 + 1.5) / (1 − 0.25) = 7/3;
        // after 5 → (0.875 + 2.5) / (1 − 0.125) = 27/7.
        var smoothed = ChartScale.Smooth([1, 3, 5], 0.5);
        Assert.Equal([1, 7.0 / 3, 27.0 / 7], smoothed, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([1.0, 3, 5], ChartScale.Smooth([1, 3, 5], 0));
        // A NaN is passed through and does not enter the average.
        var gap = ChartScale.Smooth([2, double.NaN, 2], 0.9);
        Assert.True(double.IsNaN(gap[1]));
        Assert.Equal(2, gap[2], 12);
    }

    [Fact]
    public void TheLogScalePlotsLog10AndLeavesOutValuesItCannotDraw()
    {
        Assert.Equal(2, ChartScale.Plotted(100, log: true), 12);
        Assert.True(double.IsNaN(ChartScale.Plotted(0, log: true)));
        Assert.True(double.IsNaN(ChartScale.Plotted(-1, log: true)));
        Assert.Equal(-1, ChartScale.Plotted(-1, log: false));

        // Values 1, 10, 100 at steps 0, 1, 2 lie on a straight line in log scale: y evenly spaced from bottom to top.
        var series = new MetricSeries("loss");
        series.Set(0, 1);
        series.Set(1, 10);
        series.Set(2, 100);
        series.Set(3, 0);      // not drawable on a log scale
        var chart = Render<MetricChart>(p => p.Add(c => c.Series, [series]).Add(c => c.LogScale, true));
        var points = chart.Instance.PointsOf(series).Select(p => p.Split(',').Select(double.Parse).ToArray()).ToList();
        Assert.Equal(3, points.Count);
        Assert.Equal(points[0][1] - points[1][1], points[1][1] - points[2][1], 1);
        Assert.Contains("log", chart.Find("[data-testid='log-scale']").TextContent);
        // The axis is labelled in the values, not their logs.
        Assert.Contains(">100<", chart.Markup);
    }

    [Fact]
    public void ASeriesOfOnePointIsDrawnAsADot()
    {
        var single = new MetricSeries("agreement");
        single.Set(0, 0.83);
        var chart = Render<MetricChart>(p => p.Add(c => c.Series, [single]));
        Assert.Single(chart.FindAll("circle[data-series='agreement']"));
        var two = new MetricSeries("loss");
        two.Set(1, 2);
        two.Set(2, 1);
        Assert.Empty(Render<MetricChart>(p => p.Add(c => c.Series, [two])).FindAll("circle"));
    }

    [Fact]
    public void TheEtaFollowsThePaceSoFar()
    {
        var started = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        Run At(long step, long total) => new(Guid.NewGuid(), new RunSpec("smoke", "r", "cpu", new Dictionary<string, System.Text.Json.Nodes.JsonNode?>()),
            RunStatus.Running, step, total, null, started, started, null, false);
        // 25 of 100 steps in 10 minutes: 75 more take 30 minutes.
        Assert.Equal(TimeSpan.FromMinutes(30), RunTiming.Eta(At(25, 100), started.AddMinutes(10)));
        Assert.Null(RunTiming.Eta(At(0, 100), started.AddMinutes(10)));
        Assert.Null(RunTiming.Eta(At(100, 100), started.AddMinutes(10)));
        Assert.Equal(("42 s", "7 min", "2 h 05 min"), (RunTiming.Format(TimeSpan.FromSeconds(42)), RunTiming.Format(TimeSpan.FromMinutes(7.5)),
            RunTiming.Format(TimeSpan.FromMinutes(125))));
    }
}
