using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>The MFU denominator: the best matmul rate in the computation's dtype (fp32, or bf16 for bf16 runs) over several
/// square sizes, each warmed up and timed over a fixed amount of work (large outputs pay for fresh memory, small ones for
/// dispatch).</summary>
public static class MatmulPeak
{
    public static (double Peak, IReadOnlyList<(int Size, double Rate)> Sizes) Measure(Device device, ScalarType dtype = ScalarType.Float32)
    {
        int[] sizes = device.type == DeviceType.CUDA ? [1024, 2048, 4096, 8192] : [256, 512, 1024, 2048];
        var rates = sizes.Select(n => (Size: n, Rate: Rate(n, device, dtype))).ToList();
        return (rates.Max(r => r.Rate), rates);
    }

    public static string Describe((double Peak, IReadOnlyList<(int Size, double Rate)> Sizes) measured, ScalarType dtype = ScalarType.Float32) =>
        $"matmul {(dtype == ScalarType.BFloat16 ? "bf16" : "fp32")} GFLOP/s: " + string.Join(", ", measured.Sizes.Select(p => $"{p.Size}² {p.Rate / 1e9:0.0}")) +
        $"; peak used for MFU {measured.Peak / 1e9:0.0}";

    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    private static double Rate(int n, Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, dtype: dtype, device: device);
        var b = randn(n, n, dtype: dtype, device: device);
        for (int i = 0; i < 3; i++) matmul(a, b).Dispose();
        var work = device.type == DeviceType.CUDA ? 4e13 : 4e10;
        var repeats = Math.Max(5, (int)(work / (2.0 * n * n * n)));
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) matmul(a, b).Dispose();
        Synchronize(device);
        return repeats * 2.0 * n * n * n / clock.Elapsed.TotalSeconds;
    }
}
