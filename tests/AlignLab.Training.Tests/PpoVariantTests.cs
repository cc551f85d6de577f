using AlignLab.Training.Methods.Ppo;

namespace AlignLab.Training.Tests;

/// <summary>“Aligning Large Language Models via Fine-grained Supervision”'s three PPO variants follow from the reward model, and a named variant must match it.</summary>
public sealed class PpoVariantTests
{
    [Theory]
    [InlineData(true, "edited", "fine-grained-token")]
    [InlineData(true, null, "fine-grained-token")]
    [InlineData(false, "edited", "fine-grained")]
    [InlineData(false, "original", "ppo-rlhf")]
    [InlineData(false, null, "sequence-level (training data unknown)")]
    public void AutoNamesTheVariantTheRewardModelMakes(bool tokenLevel, string? trainedOn, string variant) =>
        Assert.Equal(variant, PpoVariant.Resolve(PpoVariant.Auto, tokenLevel, trainedOn));

    [Theory]
    [InlineData("fine-grained-token", false, "edited", "needs a token-level reward model; this one is sequence-level")]
    [InlineData("fine-grained", true, "edited", "needs a sequence-level reward model; this one is token-level")]
    [InlineData("fine-grained", false, "original", "needs a reward model trained on edited pairs; this one was trained on original pairs")]
    [InlineData("ppo-rlhf", false, "edited", "needs a reward model trained on original pairs; this one was trained on edited pairs")]
    public void ANamedVariantThatTheRewardModelDoesNotMakeIsRefused(string variant, bool tokenLevel, string trainedOn, string message) =>
        Assert.EndsWith(message, Assert.Throws<ArgumentException>(() => PpoVariant.Resolve(variant, tokenLevel, trainedOn)).Message);

    [Fact]
    public void ANamedVariantIsKeptWhenTheRewardModelsDataIsUnknown() =>
        Assert.Equal("ppo-rlhf", PpoVariant.Resolve(PpoVariant.Rlhf, tokenLevel: false, trainedOn: null));
}
