using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Ppo;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>PPO's minibatches cut at their own longest rollout instead of the batch's.</summary>
public class PpoBatchTests
{
    private static PpoSample Sample(int[] prompt, int[] response) => new("q", "", prompt, response, "");

    [Fact]
    public void AMinibatchCutAtItsLongestRowScoresEveryResponseTokenAsTheFullWidthDoes()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt2(seed: 4);
        model.eval();
        PpoSample[] samples = [Sample([3, 4], [5, 6, 7, 8, 9, 10, 11, 12]), Sample([13], [14, 15]), Sample([16, 17, 18], [19, 20, 21])];
        var batch = PpoBatch.Build(samples, [.. samples.Select(s => new double[s.Response.Length])], padTokenId: 0, CPU);
        Assert.Equal(10, batch.InputIds.shape[1]);                      // the first rollout: 2 + 8

        // Rows 2 and 1 (6 and 3 tokens) keep 6 columns.
        var pick = batch.Rollouts.Rows([2, 1]);
        Assert.Equal(new long[] { 2, 6 }, pick(batch.InputIds).shape);
        // Both passes with the padding mask of the same rows.
        var attention = ResponseBatch.Pad([.. samples.Select(s => (s.Prompt, s.Response))], padTokenId: 0, CPU).AttentionMask();
        TokenLogProbs Scores(Tensor ids, Tensor mask, Tensor response) => TokenLogProbs.FromLogits(model.Forward(ids, mask), ids, response);
        var cut = Scores(pick(batch.InputIds), pick(attention), pick(batch.ResponseMask));
        var index = tensor(new long[] { 2, 1 });
        var full = Scores(batch.InputIds.index_select(0, index), attention.index_select(0, index), batch.ResponseMask.index_select(0, index));
        Assert.Equal(5f, cut.Mask.sum().item<float>());                  // every response token but none of the prompts'
        Assert.True(full.LogProbs.narrow(1, 0, 6).allclose(cut.LogProbs, rtol: 0, atol: 1e-6));
        Assert.True(full.Entropy.narrow(1, 0, 6).allclose(cut.Entropy, rtol: 0, atol: 1e-5));
        Assert.Equal(0f, full.Mask.narrow(1, 6, 4).sum().item<float>());  // what was cut held no response token
    }
}
