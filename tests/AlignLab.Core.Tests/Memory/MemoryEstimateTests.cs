using AlignLab.Core.Memory;

namespace AlignLab.Core.Tests.Memory;

public sealed class MemoryEstimateTests
{
    private static readonly ModelShape Shape = new(Parameters: 1000, Layers: 2, Hidden: 32, Vocabulary: 100, ContextLength: 2048);

    [Fact]
    public void FullAndLoraFineTuningCountWeightsOptimizerAndActivations()
    {
        // Activations: 17·16·128·32·2 values × 4 bytes = 8,912,896, plus logits and log-softmax 2·16·128·100·4 = 1,638,400.
        var full = MemoryEstimate.For(Shape, "sft", 16, 128, ppo: false, lora: false, bytesPerValue: 4);
        Assert.Equal(4_000 + 12_000 + 8_912_896 + 1_638_400, full.Bytes);
        Assert.Equal("full fp32", full.Setting);
        // LoRA r 8 on q and v: 4·8·32 per layer × 2 layers = 2,048 fp32 values, × 4 (value, gradient, two moments) × 4 bytes.
        var lora = MemoryEstimate.For(Shape, "sft", 16, 128, ppo: false, lora: true, bytesPerValue: 4);
        Assert.Equal(4_000 + 32_768 + 8_912_896 + 1_638_400, lora.Bytes);
    }

    [Fact]
    public void PpoAddsReferenceCriticRewardModelAndKvCache()
    {
        var ppo = MemoryEstimate.For(Shape, "ppo", 16, 96, ppo: true, lora: false, bytesPerValue: 4);
        long activations = 17L * 16 * 96 * 32 * 2 * 4 + 2L * 16 * 96 * 100 * 4;
        long kv = 2L * 2 * 16 * 96 * 32 * 4;
        Assert.Equal(4_000 + 12_000 + activations + 4_000 + 16_000 + 4_000 + kv, ppo.Bytes);
        Assert.Contains("KV cache", ppo.Breakdown);
        // bf16 halves weights and activations other than the fp32 logits.
        var bf16 = MemoryEstimate.For(Shape, "sft", 16, 128, ppo: false, lora: false, bytesPerValue: 2);
        Assert.Equal(2_000 + 6_000 + 8_912_896 / 2 + 1_638_400, bf16.Bytes);
    }

    [Fact]
    public void EveryMethodGetsFourSettingsAndBatchesNeverExceedTheContext()
    {
        var all = MemoryEstimate.ForModel(Shape with { ContextLength = 64 });
        Assert.Equal(MemoryEstimate.Defaults.Count * 4, all.Count);
        var sft = MemoryEstimate.For(Shape with { ContextLength = 64 }, "sft", 16, 64, false, false, 4);
        Assert.Equal(sft.Bytes, all.Single(e => e.Method == "sft" && e.Setting == "full fp32").Bytes);
    }
}
