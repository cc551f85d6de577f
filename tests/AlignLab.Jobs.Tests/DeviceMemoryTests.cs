using System.Text.Json.Nodes;
using AlignLab.Core.Memory;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Execution;
using AlignLab.Jobs.Metrics;

namespace AlignLab.Jobs.Tests;

/// <summary>A worker refuses at start a run whose memory estimate exceeds its device's memory, naming both.</summary>
public class DeviceMemoryTests
{
    private sealed class Gpu(ulong total) : IGpuReader
    {
        public GpuReading? Read() => new(null, 0, total, null);
    }

    private static RunSpec Spec(string device, long bytes) =>
        new("figa", "r", "gpu", new Dictionary<string, JsonNode?> { ["device"] = device }, Memory: new MemoryEstimate("figa", "full fp32", bytes, "weights 1.0 GiB"));

    [Fact]
    public void ARunLargerThanTheGpuFailsAtStartWithBothSizes()
    {
        const long GiB = 1L << 30;
        var error = DeviceMemory.TooSmallFor(Spec("cuda:0", 90 * GiB), new Gpu(80UL * (ulong)GiB));
        Assert.Equal("The run needs about 90.0 GiB (full fp32: weights 1.0 GiB), more than cuda:0's 80.0 GiB. " + OutOfMemory.Advice, error);
        Assert.Null(DeviceMemory.TooSmallFor(Spec("cuda:0", 70 * GiB), new Gpu(80UL * (ulong)GiB)));
        Assert.Null(DeviceMemory.TooSmallFor(Spec("cuda:0", 90 * GiB), null));          // no NVML: unknown, the run starts
    }

    [Fact]
    public void OnTheCpuTheProcesssAvailableMemoryIsTheBound()
    {
        var available = DeviceMemory.Available("cpu", null)!.Value;
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, available);
        Assert.NotNull(DeviceMemory.TooSmallFor(Spec("cpu", available + 1), null));
        Assert.Null(DeviceMemory.TooSmallFor(Spec("cpu", available), null));
        Assert.Null(DeviceMemory.TooSmallFor(Spec("cpu", available) with { Memory = null }, null));
    }

    [Fact]
    public void AWorkerPublishesItsCpuAndTheGpusCudaNumbers()
    {
        // Without an NVIDIA driver (this machine), the CPU alone.
        var devices = DeviceMemory.OfThisProcess();
        Assert.Equal(new WorkerDevice("cpu", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes), devices[0]);
        Assert.Equal(Enumerable.Range(0, devices.Count - 1).Select(i => $"cuda:{i}"), devices.Skip(1).Select(d => d.Device));
        Assert.InRange(devices.Count - 1, 0, GpuMonitor.VisibleCount());
    }
}
