using AlignLab.Core.Memory;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Metrics;

namespace AlignLab.Jobs.Execution;

/// <summary>The memory of a worker's devices: the GPUs', read through NVML, and on the CPU what the process may use (the
/// machine's memory, or the container's limit). A worker publishes them for submission to check runs against, and checks
/// the run it starts against its own device, so that a run that cannot fit fails at once, with both figures, instead of in
/// its first backward pass.</summary>
public static class DeviceMemory
{
    /// <summary>The run's error when its estimate (recorded at submission) exceeds the device's memory; null when it fits
    /// or either is unknown.</summary>
    public static string? TooSmallFor(RunSpec spec, IGpuReader? gpu)
    {
        var device = RunJob.DeviceOf(spec) ?? "cpu";
        return spec.Memory is { } estimate && Available(device, gpu) is { } available ? DeviceFit.Exceeds(estimate, device, available) : null;
    }

    /// <summary>Bytes the run may use on its device; null when unknown (a CUDA device without NVML).</summary>
    public static long? Available(string? device, IGpuReader? gpu)
    {
        if (device is null || device == "cpu") return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return gpu?.Read() is { } reading ? (long)reading.DeviceTotalBytes : null;
    }

    /// <summary>This process's devices: the CPU, and each GPU CUDA numbers for it whose memory NVML reads.</summary>
    public static IReadOnlyList<WorkerDevice> OfThisProcess()
    {
        var devices = new List<WorkerDevice> { new("cpu", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) };
        for (int i = 0; i < GpuMonitor.VisibleCount(); i++)
            if (GpuMonitor.For($"cuda:{i}")?.Read() is { } reading) devices.Add(new WorkerDevice($"cuda:{i}", (long)reading.DeviceTotalBytes));
        return devices;
    }
}
