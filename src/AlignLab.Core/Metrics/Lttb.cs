namespace AlignLab.Core.Metrics;

/// <summary>Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point and, from each
/// of <c>threshold − 2</c> equal buckets in between, the point that makes the largest triangle with the point kept before
/// it and the mean of the next bucket. Unlike taking every k-th point, it keeps a curve's spikes and dips, which are what a
/// reader looks for in a loss or reward curve.</summary>
public static class Lttb
{
    /// <summary>The indices of the points to draw, ascending: all of them when there are no more than
    /// <paramref name="threshold"/> (or the threshold is below 3).</summary>
    public static int[] Select(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int threshold)
    {
        var n = x.Length;
        if (threshold < 3 || n <= threshold) return [.. Enumerable.Range(0, n)];
        var kept = new int[threshold];
        kept[0] = 0;
        var every = (double)(n - 2) / (threshold - 2);
        var previous = 0;
        for (int bucket = 0; bucket < threshold - 2; bucket++)
        {
            // The next bucket's mean (the last point for the last bucket).
            var nextStart = (int)Math.Floor((bucket + 1) * every) + 1;
            var nextEnd = Math.Min((int)Math.Floor((bucket + 2) * every) + 1, n);
            if (nextStart >= n - 1) (nextStart, nextEnd) = (n - 1, n);
            double meanX = 0, meanY = 0;
            for (int i = nextStart; i < nextEnd; i++) (meanX, meanY) = (meanX + x[i], meanY + y[i]);
            (meanX, meanY) = (meanX / (nextEnd - nextStart), meanY / (nextEnd - nextStart));

            // This bucket's point with the largest triangle.
            var start = (int)Math.Floor(bucket * every) + 1;
            var end = (int)Math.Floor((bucket + 1) * every) + 1;
            double largest = -1;
            var chosen = start;
            for (int i = start; i < end; i++)
            {
                var area = Math.Abs((x[previous] - meanX) * (y[i] - y[previous]) - (x[previous] - x[i]) * (meanY - y[previous]));
                if (area > largest) (largest, chosen) = (area, i);
            }
            kept[bucket + 1] = chosen;
            previous = chosen;
        }
        kept[^1] = n - 1;
        return kept;
    }
}
