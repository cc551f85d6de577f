using System.Globalization;
using System.Text;
using AlignLab.Core.Metrics;

namespace AlignLab.Web.Components.Shared;

/// <summary>What the x-axis of a metric chart measures: the training step, or the wall time since the run's first point.</summary>
public enum ChartAxis { Step, WallTime }

/// <summary>One series as drawn: its SVG polyline points and, point for point, the values they stand for (smoothed, in
/// the data's units, for the hover read-out).</summary>
public sealed record DrawnSeries(MetricSeries Source, string Points, string Values, int Count)
{
    /// <summary>The "x,y" pairs of <see cref="Points"/>.</summary>
    public IReadOnlyList<string> PointList => Points.Length == 0 ? [] : Points.Split(' ');
}

/// <summary>The geometry of a metric chart, apart from its markup so that it can be tested and timed alone: the axis
/// ranges and each series' drawn points. Values are smoothed (<see cref="ChartScale.Smooth"/>) and, on a log scale, drawn
/// as log10. With a zoom only the x-range asked for is drawn (one point beyond each end keeps the lines reaching the
/// edges; the SVG clips them) and the y-range fits what is visible. Each series is downsampled by LTTB to a share of
/// <see cref="PointBudget"/>, between <see cref="MinPointsPerSeries"/> and <see cref="MaxPointsPerSeries"/>, so that 50
/// series of 10,000 points stay 10,000 SVG points (200 a series): the measurement that chose this
/// budget is in bench/results/charts.md; a zoom brings back the detail.</summary>
public sealed class ChartLayout
{
    public const double Width = 800, Height = 280, Left = 56, Right = 12, Top = 8, Bottom = 24;
    public const int PointBudget = 10_000, MinPointsPerSeries = 200, MaxPointsPerSeries = 1000;

    public double MinX { get; private init; }
    public double MaxX { get; private init; }
    public double MinY { get; private init; }
    public double MaxY { get; private init; }
    public IReadOnlyList<DrawnSeries> Series { get; private init; } = [];

    public static double PlotWidth => Width - Left - Right;
    public static double PlotHeight => Height - Top - Bottom;

    /// <summary>Points drawn per series when there are <paramref name="seriesCount"/> of them.</summary>
    public static int PointsPerSeries(int seriesCount) =>
        Math.Clamp(PointBudget / Math.Max(1, seriesCount), MinPointsPerSeries, MaxPointsPerSeries);

    public static ChartLayout Of(IReadOnlyList<MetricSeries> series, ChartAxis axis, double smoothing, bool logScale, (double From, double To)? zoom)
    {
        var nonEmpty = series.Where(s => s.Count > 0).ToList();
        if (nonEmpty.Count == 0) return new ChartLayout();
        var weight = Math.Clamp(smoothing, 0, 0.999);

        // Per series: x and the smoothed, scaled y of every point, then the indices inside the x-range.
        var prepared = new List<(MetricSeries Source, double[] X, double[] Y, double[] Shown, int[] Visible)>();
        foreach (var s in nonEmpty)
        {
            var x = axis == ChartAxis.WallTime ? s.Seconds() : new double[s.Count];
            if (axis == ChartAxis.Step)
            {
                var steps = new long[s.Count];
                s.Steps.CopyTo(steps, 0);
                for (int i = 0; i < x.Length; i++) x[i] = steps[i];
            }
            var shown = ChartScale.Smooth(s.Values, weight);
            var y = shown;
            if (logScale)
            {
                y = new double[shown.Length];
                for (int i = 0; i < y.Length; i++) y[i] = ChartScale.Plotted(shown[i], log: true);
            }
            prepared.Add((s, x, y, shown, Visible(x, y, zoom)));
        }

        double minX = zoom?.From ?? prepared.Min(p => p.X.Min()), maxX = zoom?.To ?? prepared.Max(p => p.X.Max());
        double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        foreach (var p in prepared)
            foreach (var i in p.Visible)
                if (p.X[i] >= minX && p.X[i] <= maxX) (minY, maxY) = (Math.Min(minY, p.Y[i]), Math.Max(maxY, p.Y[i]));
        if (!double.IsFinite(minY))
            foreach (var p in prepared)
                foreach (var i in p.Visible) (minY, maxY) = (Math.Min(minY, p.Y[i]), Math.Max(maxY, p.Y[i]));
        if (!double.IsFinite(minY)) (minY, maxY) = (0, 1);
        if (maxY - minY < 1e-12) (minY, maxY) = (minY - 0.5, maxY + 0.5);
        if (maxX - minX <= 0) maxX = minX + 1;

        var budget = PointsPerSeries(prepared.Count);
        var drawn = new List<DrawnSeries>(prepared.Count);
        foreach (var p in prepared)
        {
            var (vx, vy) = (p.X, p.Y);
            if (p.Visible.Length != p.X.Length)
            {
                (vx, vy) = (new double[p.Visible.Length], new double[p.Visible.Length]);
                for (int k = 0; k < vx.Length; k++) (vx[k], vy[k]) = (p.X[p.Visible[k]], p.Y[p.Visible[k]]);
            }
            var kept = Lttb.Select(vx, vy, budget);
            var points = new StringBuilder(kept.Length * 12);
            var values = new StringBuilder(kept.Length * 8);
            foreach (var k in kept)
            {
                var i = p.Visible[k];
                if (points.Length > 0) { points.Append(' '); values.Append(' '); }
                var sx = Left + (p.X[i] - minX) / (maxX - minX) * PlotWidth;
                var sy = Top + (maxY - p.Y[i]) / (maxY - minY) * PlotHeight;
                AppendTenths(points, sx);
                points.Append(',');
                AppendTenths(points, sy);
                values.Append(p.Shown[i].ToString("G5", CultureInfo.InvariantCulture));
            }
            drawn.Add(new DrawnSeries(p.Source, points.ToString(), values.ToString(), kept.Length));
        }
        return new ChartLayout { MinX = minX, MaxX = maxX, MinY = minY, MaxY = maxY, Series = drawn };
    }

    /// <summary>A coordinate rounded to a tenth ("12.3", "12", "-0.5"): what the formats "0.#" would write, without their cost.</summary>
    private static void AppendTenths(StringBuilder text, double value)
    {
        var tenths = (long)Math.Round(value * 10, MidpointRounding.AwayFromZero);
        if (tenths < 0) { text.Append('-'); tenths = -tenths; }
        text.Append(tenths / 10);
        if (tenths % 10 != 0) text.Append('.').Append((char)('0' + tenths % 10));
    }

    /// <summary>The indices of the finite points within the zoom's x-range, with the nearest point outside it at each end.</summary>
    private static int[] Visible(double[] x, double[] y, (double From, double To)? zoom)
    {
        var finite = new List<int>(x.Length);
        for (int i = 0; i < x.Length; i++)
            if (double.IsFinite(y[i])) finite.Add(i);
        return zoom is { } range ? InRange(finite, x, range) : [.. finite];
    }

    private static int[] InRange(List<int> finite, double[] x, (double From, double To) range)
    {
        var first = finite.FindIndex(i => x[i] >= range.From);
        var last = finite.FindLastIndex(i => x[i] <= range.To);
        if (first < 0 || last < 0)
        {
            // Nothing inside: the two points the range falls between, if any, still cross it.
            var before = finite.FindLastIndex(i => x[i] < range.From);
            var after = finite.FindIndex(i => x[i] > range.To);
            return before >= 0 && after >= 0 ? [finite[before], finite[after]] : [];
        }
        var from = Math.Max(0, first - 1);
        var to = Math.Min(finite.Count - 1, Math.Max(last, first - 1) + 1);
        return [.. finite.GetRange(from, to - from + 1)];
    }
}
