using AlignLab.Core.Memory;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Tests.Memory;

/// <summary>Which devices can run a run, and the refusal when none of them can hold its estimate.</summary>
public class DeviceFitTests
{
    private const long GiB = 1L << 30;
    private static readonly MemoryEstimate Estimate = new("figa", "full bf16", 90 * GiB, "weights 13.0 GiB");

    [Theory]
    [InlineData("cpu", "cpu", true)]
    [InlineData("cuda:0", "cpu", false)]
    [InlineData("cuda:0", "cuda", true)]
    [InlineData("cuda:3", "cuda", true)]
    [InlineData("cpu", "cuda", false)]
    [InlineData("cuda:1", "cuda:1", true)]
    [InlineData("cuda:1", "CUDA:1 ", true)]
    [InlineData("cuda:0", "cuda:1", false)]
    public void ADeviceServesTheRunsThatAskForItOrForAnyGpu(string device, string wanted, bool serves) =>
        Assert.Equal(serves, DeviceFit.Serves(device, wanted));

    [Fact]
    public void ARunIsRefusedOnlyWhenEveryDeviceThatServesItIsTooSmall()
    {
        WorkerDevice[] devices = [new("cpu", 500 * GiB, "a"), new("cuda:0", 80 * GiB, "a"), new("cuda:0", 40 * GiB, "b")];
        Assert.Equal("The run needs about 90.0 GiB (full bf16: weights 13.0 GiB), more than the largest cuda device of the workers of queue 'gpu' holds: " +
                     "80.0 GiB (cuda:0 of a). " + OutOfMemory.Advice, DeviceFit.Refusal(Estimate, "cuda", devices, "gpu"));
        Assert.Null(DeviceFit.Refusal(Estimate, "cpu", devices, "gpu"));                                   // the CPU holds it
        Assert.Null(DeviceFit.Refusal(Estimate, "cuda:1", devices, "gpu"));                                // nobody has cuda:1: unknown
        Assert.Null(DeviceFit.Refusal(Estimate, "cuda", [.. devices, new("cuda:1", 141 * GiB, "c")], "gpu"));  // one large enough
        Assert.Null(DeviceFit.Refusal(Estimate with { Bytes = 80 * GiB }, "cuda", devices, "gpu"));        // exactly fits
    }

    [Fact]
    public void AtStartTheErrorNamesTheEstimateAndTheDevice()
    {
        Assert.Equal("The run needs about 90.0 GiB (full bf16: weights 13.0 GiB), more than cuda:0's 80.0 GiB. " + OutOfMemory.Advice,
            DeviceFit.Exceeds(Estimate, "cuda:0", 80 * GiB));
        Assert.Null(DeviceFit.Exceeds(Estimate, "cuda:0", 90 * GiB));
    }
}
