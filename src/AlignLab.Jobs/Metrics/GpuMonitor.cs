using System.Runtime.InteropServices;

namespace AlignLab.Jobs.Metrics;

/// <summary>The memory and utilisation of the GPU a run uses, read through NVML (libnvidia-ml, which every NVIDIA driver
/// installs): TorchSharp 0.107 exposes none of libtorch's CUDA memory counters. Reports this process's memory on the
/// device (what the caching allocator holds, as nvidia-smi shows it), the device's memory in use by every process, and
/// its utilisation over the driver's last sample period. <see cref="For"/> is null where there is no NVML (no driver,
/// or a CPU run), so a CPU worker pays nothing.</summary>
public sealed class GpuMonitor : IGpuReader
{
    private static readonly Lazy<bool> Initialised = new(() =>
    {
        try { return nvmlInit_v2() == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException) { return false; }
    });

    private readonly IntPtr _device;

    private GpuMonitor(IntPtr device) => _device = device;

    /// <summary>A monitor of the run's device ("cuda", "cuda:N"); null for "cpu", an unknown device or without NVML.</summary>
    public static GpuMonitor? For(string? device)
    {
        if (PhysicalDevice(device, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")) is not { } physical || !Initialised.Value)
            return null;
        try
        {
            var status = uint.TryParse(physical, out var index)
                ? nvmlDeviceGetHandleByIndex_v2(index, out var handle)
                : nvmlDeviceGetHandleByUUID(physical, out handle);
            return status == 0 ? new GpuMonitor(handle) : null;
        }
        catch (EntryPointNotFoundException) { return null; }
    }

    /// <summary>The NVML name of the run's device: its index among all GPUs, or the UUID CUDA_VISIBLE_DEVICES gives for it.
    /// CUDA numbers only the visible devices, NVML all of them, so "cuda:1" with CUDA_VISIBLE_DEVICES=3,5 is NVML's 5.
    /// Null when the device is not CUDA or the mapping does not name it.</summary>
    public static string? PhysicalDevice(string? device, string? visibleDevices)
    {
        if (device is null) return null;
        device = device.Trim().ToLowerInvariant();
        int ordinal;
        if (device == "cuda") ordinal = 0;
        else if (!device.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(device[5..], out ordinal) || ordinal < 0) return null;
        if (string.IsNullOrWhiteSpace(visibleDevices)) return ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var visible = visibleDevices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return ordinal < visible.Length ? visible[ordinal] : null;
    }

    /// <summary>How many GPUs CUDA numbers for this process: those CUDA_VISIBLE_DEVICES names, else every device NVML
    /// sees; 0 without NVML.</summary>
    public static int VisibleCount()
    {
        if (!Initialised.Value) return 0;
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        if (visible is not null) return visible.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Length;
        try { return nvmlDeviceGetCount_v2(out var count) == 0 ? (int)count : 0; }
        catch (EntryPointNotFoundException) { return 0; }
    }

    /// <summary>One reading; null when NVML answers with an error (the device was lost, for example).</summary>
    public GpuReading? Read()
    {
        if (nvmlDeviceGetMemoryInfo(_device, out var memory) != 0) return null;
        double? utilisation = nvmlDeviceGetUtilizationRates(_device, out var rates) == 0 ? rates.Gpu : null;
        return new GpuReading(ProcessBytes(), memory.Used, memory.Total, utilisation);
    }

    /// <summary>This process's memory on the device; null when NVML does not list it (it has not touched the device yet,
    /// or a container hides the process ids).</summary>
    private long? ProcessBytes()
    {
        var count = 64u;
        var processes = new ProcessInfo[count];
        if (nvmlDeviceGetComputeRunningProcesses_v3(_device, ref count, processes) != 0) return null;
        var self = (uint)Environment.ProcessId;
        foreach (var process in processes.AsSpan(0, (int)Math.Min(count, (uint)processes.Length)))
            if (process.Pid == self) return (long)process.UsedGpuMemory;
        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Memory { public ulong Total, Free, Used; }

    [StructLayout(LayoutKind.Sequential)]
    private struct Utilization { public uint Gpu, Memory; }

    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessInfo { public uint Pid; public ulong UsedGpuMemory; public uint GpuInstanceId, ComputeInstanceId; }

    private const string Library = "libnvidia-ml.so.1";
    [DllImport(Library)] private static extern int nvmlInit_v2();
    [DllImport(Library)] private static extern int nvmlDeviceGetCount_v2(out uint count);
    [DllImport(Library)] private static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);
    [DllImport(Library, CharSet = CharSet.Ansi)] private static extern int nvmlDeviceGetHandleByUUID(string uuid, out IntPtr device);
    [DllImport(Library)] private static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out Memory memory);
    [DllImport(Library)] private static extern int nvmlDeviceGetUtilizationRates(IntPtr device, out Utilization utilization);
    [DllImport(Library)] private static extern int nvmlDeviceGetComputeRunningProcesses_v3(IntPtr device, ref uint count, [Out] ProcessInfo[] processes);
}

/// <summary>Something that reads a GPU's memory and utilisation: <see cref="GpuMonitor"/>, or a test's script.</summary>
public interface IGpuReader
{
    GpuReading? Read();
}

/// <param name="ProcessBytes">This process's memory on the device; null when NVML does not list it.</param>
/// <param name="UtilisationPercent">The share of the last sample period in which a kernel ran.</param>
public sealed record GpuReading(long? ProcessBytes, ulong DeviceUsedBytes, ulong DeviceTotalBytes, double? UtilisationPercent);
