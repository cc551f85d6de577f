using AlignLab.Testing;
using AlignLab.Testing.Reference;
using AlignLab.Training.Models;
using AlignLab.Training.Previews;

namespace AlignLab.Training.Tests;

/// <summary>Each architecture's per-token log-probs, as the log-prob preview computes them, equal an independent float64
/// forward pass written from transformers' definitions (AlignLab.Testing.Reference) to 1e-4, at positions past 1,000
/// tokens, where RoPE scaling and position handling show.</summary>
public sealed class LogProbParityTests
{
    public static TheoryData<string, string> Architectures => new()
    {
        { "gpt2", "gpt2" },
        { "llama2", "llama" },
        { "llama3", "llama with llama3 rope scaling" },
        { "mistral", "mistral" },
        { "qwen2.5", "qwen2" },
        { "qwen3", "qwen3" },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ResponseLogProbsPastAThousandTokensMatchTheReference(string family, string architecture)
    {
        var folder = RealModels.Create(family, TinyModels.TempFolder(), seed: 7, positions: 1100);
        var random = new Random(11);
        var vocabulary = ModelFolder.ReadConfig(folder).VocabSize;
        var prompt = Enumerable.Range(0, 1020).Select(_ => random.Next(vocabulary)).ToArray();
        var response = Enumerable.Range(0, 12).Select(_ => random.Next(vocabulary)).ToArray();

        using var model = ModelFolder.Load(folder);
        model.eval();
        var actual = LogProbPreview.ResponseLogProbs(model, prompt, response);
        var expected = ReferenceLm.TokenLogProbs(folder, [.. prompt, .. response], fromToken: prompt.Length)[^response.Length..];
        for (int k = 0; k < response.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) < 1e-4, $"{architecture}, position {prompt.Length + k}: {actual[k]} vs reference {expected[k]}");
    }

    [Fact]
    public void TheLlamaThreeScalingChangesTheLogProbsItIsCheckedOn()
    {
        // Without this the parity above could hold for a model that ignores rope_scaling on a config where it does nothing.
        var scaled = RealModels.Create("llama3", TinyModels.TempFolder(), seed: 7, positions: 1100);
        var plain = RealModels.Create("llama3", TinyModels.TempFolder(), seed: 7, positions: 1100, configure: c => c.Remove("rope_scaling"));
        int[] ids = [.. Enumerable.Range(0, 200).Select(i => 1000 + 37 * i % 5000)];
        using var a = ModelFolder.Load(scaled);
        using var b = ModelFolder.Load(plain);
        var difference = LogProbPreview.ResponseLogProbs(a, ids[..150], ids[150..]).Zip(LogProbPreview.ResponseLogProbs(b, ids[..150], ids[150..]))
            .Max(p => Math.Abs(p.First - p.Second));
        Assert.True(difference > 1e-3, $"largest difference {difference}");
    }
}
