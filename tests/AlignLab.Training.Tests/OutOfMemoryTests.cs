using AlignLab.Core.Runs;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>A run that runs out of memory fails with what ran out and what to change: libtorch's real allocator failure
/// is recognised (an allocation of 128 TiB, refused at once), a CUDA one by its message, other errors are not.</summary>
public class OutOfMemoryTests
{
    [Fact]
    public void LibtorchsAllocatorFailureIsRecognisedAndWorded()
    {
        var failure = Record.Exception(() => empty(1L << 45, dtype: ScalarType.Float32));
        Assert.NotNull(failure);
        Assert.True(OutOfMemory.Is(failure));
        var error = OutOfMemory.Describe(new InvalidOperationException("FIGA step failed", failure), "cpu", null, null);
        Assert.StartsWith("Out of memory on cpu: ", error);
        Assert.Contains((4L << 45).ToString(), error);                  // the allocator's own line, with the bytes it was asked for
        Assert.EndsWith(OutOfMemory.Advice, error);
    }

    [Fact]
    public void ACudaFailureIsWordedWithThePeakAndTheDevice()
    {
        var cuda = new System.Runtime.InteropServices.ExternalException(
            "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.05 GiB is free.\nException raised from malloc");
        Assert.True(OutOfMemory.Is(cuda));
        Assert.Equal("Out of memory on cuda:0 (the run's sampled peak: 78,020 MiB of the device's 81,090 MiB): CUDA out of memory. " +
                     "Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.05 GiB is free. " + OutOfMemory.Advice,
            OutOfMemory.Describe(cuda, "cuda:0", 78_020, 81_090));
        var estimate = new Core.Memory.MemoryEstimate("figa", "full bf16", 90L << 30, "weights 13.0 GiB");
        Assert.Contains("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.05 GiB is free. " +
                        "It was estimated to need about 90.0 GiB (full bf16: weights 13.0 GiB). " + OutOfMemory.Advice,
            OutOfMemory.Describe(cuda, "cuda:0", 78_020, 81_090, estimate));
    }

    [Fact]
    public void OtherFailuresAreNotOutOfMemory()
    {
        var notScalar = Record.Exception(() => randn(2, 3).item<float>());      // TorchSharp's own error
        Assert.NotNull(notScalar);
        Assert.False(OutOfMemory.Is(notScalar));
        Assert.False(OutOfMemory.Is(new InvalidDataException("dataset line 3: missing field 'prompt'")));
        Assert.True(OutOfMemory.Is(new AggregateException(new OutOfMemoryException())));
    }
}
