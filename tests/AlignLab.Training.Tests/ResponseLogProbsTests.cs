using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary><see cref="TokenLogProbs.OfResponses(CausalLM, Tensor, Tensor, Unpadding, bool)"/>, which runs the output head only on
/// the positions that predict a response token and gives the model no attention mask, against <see cref="TokenLogProbs.FromLogits"/>
/// of the whole forward pass with the padding mask: the same log-probs, entropies and mask, and the same gradients, on
/// GPT-2 and on a grouped-query Llama, with prompts and responses of different lengths, right-padded.</summary>
public sealed class ResponseLogProbsTests
{
    private static CausalLM Model(string architecture)
    {
        if (architecture == "gpt2") return TinyModels.Gpt2(seed: 4);
        random.manual_seed(12);
        return new LlamaForCausalLM(new LlamaConfig
        {
            model_type = "llama", vocab_size = 61, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 2,
            num_attention_heads = 4, num_key_value_heads = 2, max_position_embeddings = 64, bos_token_id = 1, eos_token_id = 2,
        });
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void OnlyTheResponsesPositionsThroughTheHeadGiveTheFullPassesScoresAndGradients(string architecture)
    {
        using var model = Model(architecture);
        using var scope = NewDisposeScope();
        // The earliest response starts at column 3: columns 0–2 are prompt in every row.
        var batch = ResponseBatch.Pad([([5, 9, 17], [3, 44]), ([12, 8, 30, 7, 2, 9], [11]), ([4, 4, 4], [6, 6, 6, 6])], padTokenId: 0, CPU);

        var full = TokenLogProbs.FromLogits(model.Forward(batch.InputIds, batch.AttentionMask()), batch.InputIds, batch.ResponseMask);
        (full.LogProbs.sum() + full.Entropy.sum()).backward();
        var fullGradients = model.parameters().Select(p => p.grad!.clone()).ToList();
        model.zero_grad();

        var cut = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded());
        (cut.LogProbs.sum() + cut.Entropy.sum()).backward();

        Assert.Equal(full.LogProbs.shape, cut.LogProbs.shape);
        Assert.True(cut.LogProbs.allclose(full.LogProbs, rtol: 1e-5, atol: 1e-6), "log-probs");
        Assert.True(cut.Entropy.allclose(full.Entropy, rtol: 1e-5, atol: 1e-6), "entropies");
        Assert.Equal(full.Mask.data<float>().ToArray(), cut.Mask.data<float>().ToArray());
        Assert.NotEqual(0f, cut.LogProbs.abs().sum().item<float>());
        foreach (var (expected, actual) in fullGradients.Zip(model.parameters().Select(p => p.grad!)))
            Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-6), "gradients");
    }

    [Fact]
    public void ABatchWithoutResponseTokensScoresNothing()
    {
        using var model = Model("gpt2");
        using var scope = NewDisposeScope();
        var batch = ResponseBatch.Pad([([5, 9, 17], []), ([12, 8], [])], padTokenId: 0, CPU);
        var cut = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded());
        Assert.Equal(new long[] { 2, 3 }, cut.LogProbs.shape);
        Assert.Equal(0f, cut.LogProbs.abs().sum().item<float>());
        Assert.Equal(0f, cut.Mask.sum().item<float>());
    }
}
