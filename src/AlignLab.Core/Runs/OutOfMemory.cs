using AlignLab.Core.Memory;

namespace AlignLab.Core.Runs;

/// <summary>Recognises an allocation failure among a failed run's exceptions — libtorch's CPU allocator ("not enough
/// memory"), CUDA's caching allocator ("CUDA out of memory"), cuBLAS's workspace (CUBLAS_STATUS_ALLOC_FAILED) or .NET's
/// own <see cref="OutOfMemoryException"/> — and words the run's error so that it says what ran out, how much the run
/// held at its peak when that is known, what it was estimated to need, and what to change.</summary>
public static class OutOfMemory
{
    private static readonly string[] Signs =
        ["out of memory", "not enough memory", "can't allocate memory", "cannot allocate memory", "CUBLAS_STATUS_ALLOC_FAILED", "failed to allocate"];

    public const string Advice = "To fit, use a smaller batch or shorter sequences (the same effective batch through gradient accumulation), " +
                                 "precision bf16 instead of bf16-mixed or fp32, LoRA adapters instead of full fine-tuning, or a device with more memory.";

    /// <summary>Whether the exception, or one it wraps, is an allocation failure.</summary>
    public static bool Is(Exception exception) => Cause(exception) is not null;

    /// <summary>The run's error: the device, the most the run was seen to hold there (sampled once a second, when measured),
    /// the allocator's own first line, the run's memory estimate (when it has one) and <see cref="Advice"/>.</summary>
    public static string Describe(Exception exception, string? device, double? peakMb, double? deviceTotalMb, MemoryEstimate? estimate = null)
    {
        var firstLine = (Cause(exception) ?? exception).Message.Split('\n', 2)[0].Trim();
        var peak = peakMb is { } p
            ? FormattableString.Invariant($" (the run's sampled peak: {p:N0} MiB{(deviceTotalMb is { } total ? FormattableString.Invariant($" of the device's {total:N0} MiB") : "")})")
            : "";
        var estimated = estimate is null ? "" : $" It was estimated to need about {MemoryEstimate.Format(estimate.Bytes)} ({estimate.Setting}: {estimate.Breakdown}).";
        return $"Out of memory on {device ?? "the device"}{peak}: {firstLine}{estimated} {Advice}";
    }

    /// <summary>The exception of the chain that is the allocation failure; null when none is.</summary>
    private static Exception? Cause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is OutOfMemoryException || Signs.Any(sign => e.Message.Contains(sign, StringComparison.OrdinalIgnoreCase)))
                return e;
        return null;
    }
}
