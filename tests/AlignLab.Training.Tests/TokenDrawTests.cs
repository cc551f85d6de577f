using AlignLab.Training.Inference;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>A sampled token is drawn by inverse transform: the first token whose cumulative probability exceeds the row's
/// uniform, so a uniform in [0, 1) picks token i with probability p_i and never a token of probability 0.</summary>
public sealed class TokenDrawTests
{
    [Fact]
    public void AUniformPicksTheTokenWhoseCumulativeIntervalHoldsIt()
    {
        // Cumulative 0.1 0.3 0.6 1.0: token i owns [cumulative before it, its cumulative).
        using var probabilities = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }).expand(6, 4);
        using var uniforms = tensor(new float[] { 0f, 0.05f, 0.1f, 0.35f, 0.6f, 0.999f }, [6, 1]);
        Assert.Equal([0L, 0, 1, 2, 3, 3], TextGenerator.Draw(probabilities, uniforms).data<long>().ToArray());
    }

    [Fact]
    public void ATokenOfProbabilityZeroIsNeverDrawnAndTheLastTokenBoundsTheIndex()
    {
        // Cumulative 0 0.5 0.5 1: uniforms on the boundaries skip the empty intervals of tokens 0 and 2.
        using var probabilities = tensor(new float[] { 0f, 0.5f, 0f, 0.5f }).expand(4, 4);
        using var uniforms = tensor(new float[] { 0f, 0.4999f, 0.5f, 0.9999999f }, [4, 1]);
        Assert.Equal([1L, 1, 3, 3], TextGenerator.Draw(probabilities, uniforms).data<long>().ToArray());
        // Rows that sum to a little less than 1 (float rounding) still end at their last token.
        using var short_ = tensor(new float[] { 0.3f, 0.3f, 0.3999f }, [1, 3]);
        Assert.Equal(2L, TextGenerator.Draw(short_, tensor(new float[] { 0.99999f }, [1, 1])).item<long>());
    }

    [Fact]
    public void SampledTokensFollowTheTemperatureScaledDistribution()
    {
        // logits ln(1), ln(2), ln(3), ln(4) → p = 0.1 … 0.4; 40,000 draws with a seed: each frequency within 1 % (about
        // four standard deviations, √(0.24 / 40,000) = 0.25 %).
        const int rows = 40_000;
        using var logits = tensor(new float[] { 0f, MathF.Log(2), MathF.Log(3), MathF.Log(4) }).expand(rows, 4);
        using var random = new TorchSharp.torch.Generator(seed: 3);
        var drawn = TextGenerator.Choose(logits, new GenerationOptions { Temperature = 1, TopK = 0, TopP = 1 }, random).data<long>().ToArray();
        for (int token = 0; token < 4; token++)
            Assert.InRange(drawn.Count(t => t == token) / (double)rows, 0.1 * (token + 1) - 0.01, 0.1 * (token + 1) + 0.01);
        // Top-k 2 leaves tokens 2 and 3, renormalised to 3/7 and 4/7.
        drawn = TextGenerator.Choose(logits, new GenerationOptions { Temperature = 1, TopK = 2, TopP = 1 }, random).data<long>().ToArray();
        Assert.DoesNotContain(drawn, t => t < 2);
        Assert.InRange(drawn.Count(t => t == 3) / (double)rows, 4 / 7.0 - 0.01, 4 / 7.0 + 0.01);
    }
}
