namespace AlignLab.Core.Memory;

/// <summary>Whether a run's memory estimate fits the device it asks for: at submission against the devices of the live
/// servers of its queue, and again on the worker that starts it.</summary>
public static class DeviceFit
{
    /// <summary>Whether a server's <paramref name="device"/> ("cpu", "cuda:N") can run a run that asks for
    /// <paramref name="wanted"/>: "cpu" only on a CPU, "cuda" on any GPU, "cuda:N" on GPU N.</summary>
    public static bool Serves(string device, string wanted)
    {
        wanted = wanted.Trim().ToLowerInvariant();
        return wanted == "cuda" ? device.StartsWith("cuda:", StringComparison.Ordinal) : device == wanted;
    }

    /// <summary>The refusal of a run whose estimate exceeds every device of <paramref name="devices"/> that serves its
    /// device; null when one can hold it, or when none serves it (nothing is known, the worker checks at start).</summary>
    public static string? Refusal(MemoryEstimate estimate, string wanted, IEnumerable<WorkerDevice> devices, string queue)
    {
        var largest = devices.Where(d => Serves(d.Device, wanted)).MaxBy(d => d.MemoryBytes);
        if (largest is null || estimate.Bytes <= largest.MemoryBytes) return null;
        return $"{Needs(estimate)}, more than the largest {wanted} device of the workers of queue '{queue}' holds: " +
               $"{MemoryEstimate.Format(largest.MemoryBytes)} ({largest.Device} of {largest.Server}). {Runs.OutOfMemory.Advice}";
    }

    /// <summary>The error of a run whose estimate exceeds the <paramref name="available"/> bytes of the device it starts on;
    /// null when it fits.</summary>
    public static string? Exceeds(MemoryEstimate estimate, string device, long available) =>
        estimate.Bytes <= available
            ? null
            : $"{Needs(estimate)}, more than {device}'s {MemoryEstimate.Format(available)}. {Runs.OutOfMemory.Advice}";

    /// <summary>"The run needs about 3.1 GiB (full fp32: weights …)".</summary>
    public static string Needs(MemoryEstimate estimate) =>
        $"The run needs about {MemoryEstimate.Format(estimate.Bytes)} ({estimate.Setting}: {estimate.Breakdown})";
}
