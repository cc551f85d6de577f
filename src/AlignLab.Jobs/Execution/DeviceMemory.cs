using AlignLab.Core.Memory;
using AlignLab.Core.Runs;
using AlignLab.Jobs.Metrics;

namespace AlignLab.Jobs.Execution;

/// <summary>The check a worker makes before it starts a run: the run's memory estimate (recorded at submission) against
/// the memory of the device it is to run on — the GPU's, read through NVML, or on the CPU what the process may use (the
/// machine's memory, or the container's limit). A run that cannot fit fails at once, with both figures, instead of
/// failing in its first backward pass.</summary>
public static class DeviceMemory
{
    /// <summary>The run's error when its estimate exceeds the device's memory; null when it fits or either is unknown.</summary>
    public static string? TooSmallFor(RunSpec spec, IGpuReader? gpu) =>
        spec.Memory is { } estimate && Available(RunJob.DeviceOf(spec), gpu) is { } available
            ? Compare(estimate, RunJob.DeviceOf(spec) ?? "cpu", available)
            : null;

    /// <summary>The error when <paramref name="estimate"/> exceeds <paramref name="available"/> bytes; null otherwise.</summary>
    public static string? Compare(MemoryEstimate estimate, string device, long available) =>
        estimate.Bytes <= available
            ? null
            : $"The run needs about {MemoryEstimate.Format(estimate.Bytes)} ({estimate.Setting}: {estimate.Breakdown}), " +
              $"more than {device}'s {MemoryEstimate.Format(available)}. {OutOfMemory.Advice}";

    /// <summary>Bytes the run may use on its device; null when unknown (a CUDA device without NVML).</summary>
    public static long? Available(string? device, IGpuReader? gpu)
    {
        if (device is null || device == "cpu") return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return gpu?.Read() is { } reading ? (long)reading.DeviceTotalBytes : null;
    }
}
