using AlignLab.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Why bf16-mixed exists: AdamW's first steps move every weight by about the learning rate (the update is
/// lr · m̂/(√v̂ + ε) with m̂ = g and v̂ = g² for a constant gradient g), and 1e-5 is far below bf16's resolution at 1.0
/// (2⁻⁸ below it). Pure bf16 rounds each update away; fp32 masters keep them, and the bf16 weight shows their sum once
/// it passes half a step of bf16.</summary>
public class MasterWeightsTests
{
    private sealed class OneWeight : nn.Module
    {
        public readonly Parameter Weight = new(ones(4, dtype: ScalarType.BFloat16));

        public OneWeight() : base(nameof(OneWeight)) => RegisterComponents();
    }

    private const double LearningRate = 1e-5;

    /// <summary>Steps of AdamW (no decay) on a loss whose gradient is 1 for every weight.</summary>
    private static void Train(OneWeight module, MasterWeights? masters, int steps)
    {
        using var optimizer = AdamWFactory.Create(masters?.Parameters ?? [module.Weight], LearningRate, weightDecay: 0);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            module.Weight.sum().backward();
            masters?.Accumulate();
            optimizer.step();
            masters?.CopyToModel();
        }
    }

    [Fact]
    public void PureBf16LosesUpdatesBelowItsResolutionAndMastersKeepThem()
    {
        using var pure = new OneWeight();
        Train(pure, null, 800);
        Assert.All(pure.Weight.to(ScalarType.Float32).data<float>().ToArray(), w => Assert.Equal(1f, w));

        using var mixed = new OneWeight();
        using var masters = new MasterWeights(mixed);
        Train(mixed, masters, 800);
        // Each step moves the master by 1e-5 (to within AdamW's ε): 1 − 800 · 1e-5 = 0.992.
        Assert.All(masters.Parameters[0].data<float>().ToArray(), w => Assert.Equal(0.992f, w, 5e-5f));
        // bf16 just below 1 has steps of 2⁻⁸: 0.992 rounds to 254/256 = 0.9921875.
        Assert.All(mixed.Weight.to(ScalarType.Float32).data<float>().ToArray(), w => Assert.Equal(254f / 256, w));
    }

    [Fact]
    public void GradientsOfManyBackwardPassesAddUpInFp32()
    {
        // bf16 counts integers exactly only up to 256: a bf16 gradient fed 300 backward passes of 1 stops at 256.
        using var pure = new OneWeight();
        for (int pass = 0; pass < 300; pass++)
        {
            using var scope = NewDisposeScope();
            pure.Weight.sum().backward();
        }
        Assert.All(pure.Weight.grad!.to(ScalarType.Float32).data<float>().ToArray(), g => Assert.Equal(256f, g));

        using var module = new OneWeight();
        using var masters = new MasterWeights(module);
        for (int pass = 0; pass < 300; pass++)
        {
            using var scope = NewDisposeScope();
            module.Weight.sum().backward();
            masters.Accumulate();
        }
        Assert.All(module.Weight.grad!.to(ScalarType.Float32).data<float>().ToArray(), g => Assert.Equal(0f, g));   // handed over each time
        Assert.Equal(ScalarType.Float32, masters.Parameters[0].grad!.dtype);
        Assert.All(masters.Parameters[0].grad!.data<float>().ToArray(), g => Assert.Equal(300f, g));
    }
}
