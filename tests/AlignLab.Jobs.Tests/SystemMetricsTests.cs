using AlignLab.Core.Metrics;
using AlignLab.Jobs.Metrics;

namespace AlignLab.Jobs.Tests;

/// <summary>The worker's own measurements beside a run's metrics: sampled at a new step, no more often than the interval.</summary>
public class SystemMetricsTests
{
    private sealed class Recording : IMetricsSink
    {
        public List<(long Step, string Name, double Value)> Points { get; } = [];
        public void Report(long step, string name, double value) => Points.Add((step, name, value));
        public void ReportProgress(long step, long totalSteps) { }
    }

    [Fact]
    public void EachNewStepIsSampledOnceWithTheProcessesMemoryAndCpu()
    {
        var inner = new Recording();
        var sink = new SystemMetrics(inner, TimeSpan.Zero);
        sink.Report(1, "loss", 2);
        sink.Report(1, "lr", 0.1);
        // Some CPU work between the samples, so the second has a share to report.
        var sum = 0.0;
        for (int i = 0; i < 60_000_000; i++) sum += Math.Sqrt(i);
        sink.Report(2, "loss", sum > 0 ? 1 : 0);

        var system = inner.Points.Where(p => p.Name.StartsWith(SystemMetrics.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(["system/managed_mb", "system/rss_mb"], system.Where(p => p.Step == 1).Select(p => p.Name).Order());   // no CPU share before a second sample
        Assert.Equal(["system/cpu_percent", "system/managed_mb", "system/rss_mb"], system.Where(p => p.Step == 2).Select(p => p.Name).Order());
        Assert.All(system.Where(p => p.Name == "system/rss_mb"), p => Assert.InRange(p.Value, 10, 1 << 20));
        Assert.InRange(system.Single(p => p.Name == "system/cpu_percent").Value, 0.001, 100.0 * 1.05);
        // The method's own points pass through unchanged.
        Assert.Equal([(1L, "loss", 2.0), (1L, "lr", 0.1), (2L, "loss", 1.0)], inner.Points.Where(p => !p.Name.StartsWith(SystemMetrics.Prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void NoMoreOftenThanTheInterval()
    {
        var inner = new Recording();
        var sink = new SystemMetrics(inner, TimeSpan.FromHours(1));
        for (int step = 1; step <= 5; step++) sink.Report(step, "loss", 1);
        Assert.Equal([1L], inner.Points.Where(p => p.Name == "system/rss_mb").Select(p => p.Step));
    }
}
