using AlignLab.Core.Runs;
using AlignLab.Web.Components.Shared;
using Bunit;

namespace AlignLab.Web.Components.Tests;

/// <summary>The metric chart's smoothing, log scale, single points, zoom, wall-time axis and point budget, and the run page's
/// ETA, against hand-computed values.</summary>
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

    private static MetricSeries Line(string name, int count, Func<int, double> value, DateTimeOffset? start = null, double secondsPerStep = 1)
    {
        var series = new MetricSeries(name);
        var t0 = start ?? new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < count; i++) series.Set(i, value(i), t0.AddSeconds(i * secondsPerStep));
        return series;
    }

    private static double[] Coordinates(string pair) => [.. pair.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void AZoomDrawsItsRangeAcrossThePlotAndFitsTheValuesInIt()
    {
        // value = step on steps 0…99; zoomed to 20…40: x 20 at the left edge, 30 in the middle, y fitted to 20…40.
        var line = Line("loss", 100, i => i);
        var layout = ChartLayout.Of([line], ChartAxis.Step, 0, false, (20, 40));
        Assert.Equal((20.0, 40.0, 20.0, 40.0), (layout.MinX, layout.MaxX, layout.MinY, layout.MaxY));
        var points = layout.Series[0].PointList;
        Assert.Equal(23, points.Count);                                // steps 19…41: one beyond each end, clipped by the SVG
        var middle = Coordinates(points[11]);                          // step 30
        Assert.Equal(ChartLayout.Left + ChartLayout.PlotWidth / 2, middle[0], 0.1);
        Assert.Equal(ChartLayout.Top + ChartLayout.PlotHeight / 2, middle[1], 0.1);
        Assert.Equal("30", layout.Series[0].Values.Split(' ')[11]);  // the read-out carries the value itself
    }

    [Fact]
    public void TheChartZoomsWhereTheBrowserAsksAndResets()
    {
        var chart = Render<MetricChart>(p => p.Add(c => c.Series, [Line("loss", 101, i => i * 0.5)]));
        Assert.Empty(chart.FindAll("#chart-reset-zoom"));
        chart.InvokeAsync(() => chart.Instance.ZoomTo(0.5, 0.25)).GetAwaiter().GetResult();   // fractions of the plot, either order
        Assert.Equal((25.0, 50.0), (chart.Instance.Layout.MinX, chart.Instance.Layout.MaxX));
        Assert.Equal("25", chart.Find("[data-testid='x-min']").TextContent);
        chart.InvokeAsync(() => chart.Instance.ZoomTo(double.NaN, 0.75)).GetAwaiter().GetResult();           // not a range: ignored
        Assert.Equal((25.0, 50.0), (chart.Instance.Layout.MinX, chart.Instance.Layout.MaxX));
        chart.Find("#chart-reset-zoom").Click();
        Assert.Equal((0.0, 100.0), (chart.Instance.Layout.MinX, chart.Instance.Layout.MaxX));
        Assert.Empty(chart.FindAll("#chart-reset-zoom"));

        // A zoom belongs to its axis: switching to wall time shows the whole run again.
        chart.InvokeAsync(() => chart.Instance.ZoomTo(0, 0.1)).GetAwaiter().GetResult();
        chart.Render(p => p.Add(c => c.Axis, ChartAxis.WallTime));
        Assert.Empty(chart.FindAll("#chart-reset-zoom"));
        Assert.Equal("time", chart.Find("svg").GetAttribute("data-axis"));
    }

    [Fact]
    public void TheWallTimeAxisPlacesPointsByTheirTimeFromTheRunsFirstPoint()
    {
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        // The run's first point (another metric) came 10 s before this series' first: its points sit at 10, 20, 50 s.
        var loss = new MetricSeries("loss") { Origin = start };
        loss.Set(0, 1, start.AddSeconds(10));
        loss.Set(1, 1, start.AddSeconds(20));
        loss.Set(2, 1, start.AddSeconds(50));
        var other = new MetricSeries("lr") { Origin = start };
        other.Set(0, 1, start);
        var layout = ChartLayout.Of([loss, other], ChartAxis.WallTime, 0, false, null);
        Assert.Equal((0.0, 50.0), (layout.MinX, layout.MaxX));
        var xs = layout.Series[0].PointList.Select(p => Coordinates(p)[0]).ToList();
        Assert.Equal([ChartLayout.Left + 0.2 * ChartLayout.PlotWidth, ChartLayout.Left + 0.4 * ChartLayout.PlotWidth, ChartLayout.Left + ChartLayout.PlotWidth],
            xs, (a, b) => Math.Abs(a - b) < 0.1);
        // By step the same points are evenly spaced.
        var bySteps = ChartLayout.Of([loss], ChartAxis.Step, 0, false, null).Series[0].PointList.Select(p => Coordinates(p)[0]).ToList();
        Assert.Equal(ChartLayout.Left + ChartLayout.PlotWidth / 2, bySteps[1], 0.1);
    }

    [Fact]
    public void FiftySeriesOfTenThousandPointsShareAPointBudgetAndKeepTheirSpikes()
    {
        var series = Enumerable.Range(0, 50).Select(k => Line($"m{k}", 10_000, i => i == 7_777 ? 1_000 : Math.Sin(i / 100.0 + k))).ToList();
        var layout = ChartLayout.Of(series, ChartAxis.Step, 0, false, null);
        Assert.Equal(ChartLayout.PointBudget / 50, ChartLayout.PointsPerSeries(50));
        Assert.All(layout.Series, s =>
        {
            Assert.Equal(200, s.Count);
            Assert.Equal(200, s.Values.Split(' ').Length);
            Assert.Contains("1000", s.Values.Split(' '));                // LTTB keeps the one spike
        });
        Assert.Equal(ChartLayout.MaxPointsPerSeries, ChartLayout.PointsPerSeries(1));
        Assert.Equal(ChartLayout.MinPointsPerSeries, ChartLayout.PointsPerSeries(1000));
    }

    [Fact]
    public void MetricsAreGroupedByPrefixWithTheWorkersOwnLast()
    {
        var groups = MetricGroups.Of(["system/rss_mb", "loss", "eval/loss", "acc/mmlu", "reward", "system/cpu_percent"]);
        Assert.Equal(["", "acc", "eval", "system"], groups.Select(g => g.Key));
        Assert.Equal(["loss", "reward"], groups[0]);
        Assert.Equal(["system/rss_mb", "system/cpu_percent"], groups[3]);
    }
}
