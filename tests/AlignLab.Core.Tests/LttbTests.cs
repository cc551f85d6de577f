using AlignLab.Core.Metrics;

namespace AlignLab.Core.Tests;

/// <summary>Largest-Triangle-Three-Buckets against a hand-worked case and the properties a chart relies on.</summary>
public class LttbTests
{
    [Fact]
    public void AHandWorkedCaseKeepsTheEndsAndEachBucketsLargestTriangle()
    {
        // Six points into four: buckets of (6 − 2) / 2 = 2 inner points: {1, 2} and {3, 4}.
        double[] x = [0, 1, 2, 3, 4, 5];
        double[] y = [0, 5, 1, 1, 4, 0];
        // Bucket 1: previous (0, 0), next bucket's mean (3.5, 2.5). Twice the triangle: |(0 − 3.5)(y − 0) − (0 − x)(2.5 − 0)|:
        // point 1: |−17.5 + 2.5| = 15; point 2: |−3.5 + 5| = 1.5 → 1.
        // Bucket 2: previous (1, 5), next is the last point (5, 0): |(1 − 5)(y − 5) − (1 − x)(0 − 5)|:
        // point 3: |16 − 10| = 6; point 4: |4 − 15| = 11 → 4.
        Assert.Equal([0, 1, 4, 5], Lttb.Select(x, y, 4));
    }

    [Fact]
    public void ASpikeEveryStrideWouldMissIsKeptAndShortSeriesAreWhole()
    {
        var x = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        var y = x.Select(i => Math.Sin(i / 500)).ToArray();
        y[4_321] = 50;                                  // one spike, off every 10th point
        var kept = Lttb.Select(x, y, 1000);
        Assert.Equal(1000, kept.Length);
        Assert.Contains(4_321, kept);
        Assert.Equal(0, kept[0]);
        Assert.Equal(9_999, kept[^1]);
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First < p.Second), "ascending, no repeats");
        Assert.Equal([0, 1, 2], Lttb.Select([0.0, 1, 2], [3.0, 1, 2], 1000));
    }
}
