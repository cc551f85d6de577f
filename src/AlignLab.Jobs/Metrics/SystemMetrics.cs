using System.Diagnostics;
using AlignLab.Core.Metrics;

namespace AlignLab.Jobs.Metrics;

/// <summary>Adds the worker process's own measurements to a run's metrics, whatever the method: when the run reports a
/// new step, and at most once per <paramref name="interval"/>, <c>system/rss_mb</c> (the process's resident memory),
/// <c>system/cpu_percent</c> (its CPU time over the wall time since the last sample, as a share of all cores) and
/// <c>system/managed_mb</c> (the .NET heap; tensors live outside it) are reported at that step. Several runs in one
/// in-process worker share the process, so they see the same numbers. On a CUDA run with a <paramref name="gpu"/> monitor
/// (NVML) it adds <c>system/gpu_memory_mb</c> (this process on the device), <c>system/gpu_memory_peak_mb</c> (the largest of
/// those over the run's samples), <c>system/gpu_device_memory_mb</c> (every process on the device) and
/// <c>system/gpu_util_percent</c>.</summary>
public sealed class SystemMetrics(IMetricsSink inner, TimeSpan interval, IGpuReader? gpu = null) : IMetricsSink
{
    public const string Prefix = "system/";

    private readonly Process _process = Process.GetCurrentProcess();
    private readonly object _gate = new();
    private long _lastStep = long.MinValue;
    private DateTime _lastSample = DateTime.MinValue;
    private TimeSpan _lastCpu;
    private double _gpuPeakMb;
    private double? _gpuTotalMb;

    /// <summary>The most GPU memory this process held at a sample of this run; null before a GPU sample (or on the CPU).</summary>
    public double? GpuPeakMb { get { lock (_gate) return _gpuPeakMb > 0 ? _gpuPeakMb : null; } }

    /// <summary>The run's GPU's memory; null before a GPU sample (or on the CPU).</summary>
    public double? GpuTotalMb { get { lock (_gate) return _gpuTotalMb; } }

    public void Report(long step, string name, double value)
    {
        inner.Report(step, name, value);
        Sample(step);
    }

    public void ReportProgress(long step, long totalSteps) => inner.ReportProgress(step, totalSteps);

    private void Sample(long step)
    {
        (double Rss, double? Cpu, double Managed)? sample = null;
        GpuReading? reading = null;
        double gpuPeak = 0;
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            if (step == _lastStep || now - _lastSample < interval) return;
            _process.Refresh();
            var cpu = _process.TotalProcessorTime;
            var wall = (now - _lastSample).TotalSeconds;
            double? share = _lastSample == DateTime.MinValue || wall <= 0 ? null : (cpu - _lastCpu).TotalSeconds / wall / Environment.ProcessorCount * 100;
            sample = (_process.WorkingSet64 / 1048576.0, share, GC.GetTotalMemory(false) / 1048576.0);
            (_lastStep, _lastSample, _lastCpu) = (step, now, cpu);
            reading = gpu?.Read();
            if (reading?.ProcessBytes is { } bytes) _gpuPeakMb = Math.Max(_gpuPeakMb, bytes / 1048576.0);
            if (reading is not null) _gpuTotalMb = reading.DeviceTotalBytes / 1048576.0;
            gpuPeak = _gpuPeakMb;
        }
        inner.Report(step, Prefix + "rss_mb", sample.Value.Rss);
        if (sample.Value.Cpu is { } percent) inner.Report(step, Prefix + "cpu_percent", percent);
        inner.Report(step, Prefix + "managed_mb", sample.Value.Managed);
        if (reading is null) return;
        if (reading.ProcessBytes is { } processBytes)
        {
            inner.Report(step, Prefix + "gpu_memory_mb", processBytes / 1048576.0);
            inner.Report(step, Prefix + "gpu_memory_peak_mb", gpuPeak);
        }
        inner.Report(step, Prefix + "gpu_device_memory_mb", reading.DeviceUsedBytes / 1048576.0);
        if (reading.UtilisationPercent is { } utilisation) inner.Report(step, Prefix + "gpu_util_percent", utilisation);
    }
}
