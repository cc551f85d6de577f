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

    private sealed class ScriptedGpu(params GpuReading?[] readings) : IGpuReader
    {
        private int _next;
        public GpuReading? Read() => readings[_next++];
    }

    [Fact]
    public void OnAGpuTheProcessesMemoryItsPeakTheDevicesMemoryAndUtilisationAreReported()
    {
        const long MiB = 1 << 20;
        var inner = new Recording();
        var sink = new SystemMetrics(inner, TimeSpan.Zero, new ScriptedGpu(
            new GpuReading(100 * MiB, 1000 * MiB, 80_000 * MiB, 35),
            new GpuReading(300 * MiB, 1200 * MiB, 80_000 * MiB, 90),
            new GpuReading(200 * MiB, 1100 * MiB, 80_000 * MiB, null),
            null));                                                      // NVML failed: no GPU point at that step
        for (int step = 1; step <= 4; step++) sink.Report(step, "loss", 1);

        double[] Of(string name) => [.. inner.Points.Where(p => p.Name == SystemMetrics.Prefix + name).Select(p => p.Value)];
        Assert.Equal([100.0, 300, 200], Of("gpu_memory_mb"));
        Assert.Equal([100.0, 300, 300], Of("gpu_memory_peak_mb"));
        Assert.Equal([1000.0, 1200, 1100], Of("gpu_device_memory_mb"));
        Assert.Equal([35.0, 90], Of("gpu_util_percent"));
        Assert.Equal(4, Of("rss_mb").Length);
        // What an out-of-memory failure of the run reports.
        Assert.Equal((300.0, 80_000.0), (sink.GpuPeakMb, sink.GpuTotalMb));
        Assert.Null(new SystemMetrics(inner, TimeSpan.Zero).GpuPeakMb);
    }

    [Theory]
    [InlineData("cuda", null, "0")]
    [InlineData("cuda:1", null, "1")]
    [InlineData("CUDA:1", "3,5", "5")]                                    // CUDA counts the visible devices, NVML all of them
    [InlineData("cuda", "GPU-8f3c", "GPU-8f3c")]
    [InlineData("cuda:2", "3,5", null)]
    [InlineData("cpu", null, null)]
    [InlineData("cuda:x", null, null)]
    [InlineData(null, null, null)]
    public void TheRunsDeviceIsFoundAmongAllGpus(string? device, string? visible, string? expected) =>
        Assert.Equal(expected, GpuMonitor.PhysicalDevice(device, visible));

    [Fact]
    public void ACpuRunHasNoGpuMonitor() => Assert.Null(GpuMonitor.For("cpu"));
}
