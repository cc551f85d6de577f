using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>Passes that run the token-wise layers on the real tokens of right-padded rows only, and the output head on the
/// positions that predict response tokens only (<see cref="Unpadding"/>): the indices by hand; hidden states, scores and
/// gradients against the padded pass on GPT-2, a grouped-query Llama and Qwen3 (per-head norms), with and without layer
/// checkpointing; and what the pass refuses.</summary>
public class UnpaddingTests
{
    private static CausalLM Model(string architecture)
    {
        if (architecture == "gpt2") return TinyModels.Gpt2(seed: 4);
        random.manual_seed(5);
        return new LlamaForCausalLM(new LlamaConfig
        {
            model_type = architecture, vocab_size = 61, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 2,
            num_attention_heads = 4, num_key_value_heads = 2, max_position_embeddings = 64, bos_token_id = 1, eos_token_id = 2,
        });
    }

    [Fact]
    public void TheIndexHoldsEachRowsFirstLengthColumnsAndScatterUndoesGather()
    {
        using var unpadded = Unpadding.Of([2, 0, 3], width: 3, CPU);
        Assert.Equal([0L, 1, 6, 7, 8], unpadded.Index.data<long>().ToArray());
        Assert.Equal(5, unpadded.Tokens);

        var x = arange(1, 19, dtype: ScalarType.Float32).reshape(3, 3, 2);            // (B, T, 2), all non-zero
        var packed = unpadded.Gather(x);
        Assert.Equal([5L, 2], packed.shape);
        Assert.Equal([1f, 2, 3, 4, 13, 14, 15, 16, 17, 18], packed.data<float>().ToArray());
        var back = unpadded.Scatter(packed);
        // Row 0's third column and all of row 1 are padding: zeros; the rest as it was.
        float[] expected = [1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 13, 14, 15, 16, 17, 18];
        Assert.Equal(expected, back.data<float>().ToArray());

        Assert.True(unpadded.LeavesOut);
        Assert.False(unpadded.SharesPrefixes);                                         // no tokens given: nothing shared
        Assert.Null(unpadded.Predicting);                                              // no prompt lengths: no response positions
        using (var full = Unpadding.Of([3, 3], width: 3, CPU)) Assert.False(full.LeavesOut);   // a model pass has nothing to leave out
        Assert.Throws<ArgumentOutOfRangeException>(() => Unpadding.Of([4], width: 3, CPU));
        Assert.Throws<ArgumentOutOfRangeException>(() => Unpadding.Of([2], width: 3, CPU, promptLengths: [3]));

        // Rows of width 5: prompt 2 of length 4 (positions 1, 2 predict tokens 2, 3), prompt 0 of length 3 (column 0 is
        // predicted by nothing: positions 0, 1 predict tokens 1, 2), prompt 4 of length 4 (no response: none).
        using var responses = Unpadding.Of([4, 3, 4], width: 5, CPU, promptLengths: [2, 0, 4]);
        Assert.Equal([1L, 2, 5, 6], responses.Predicting!.data<long>().ToArray());
    }

    [Fact]
    public void RowsThatBeginAlikeShareTheirPrefixsPackedTokens()
    {
        // Row 1 begins as row 0 does (5, 9), row 2 shares only the 5; then each goes its own way.
        using var unpadded = Unpadding.Of([3, 4, 2], width: 4, CPU, tokens: [[5, 9, 17], [5, 9, 4, 4], [5, 8]]);
        Assert.Equal([0L, 1, 2, 6, 7, 9], unpadded.Index.data<long>().ToArray());
        // Each position's packed token; the padding reads N = 6, a zero row.
        Assert.Equal([0L, 1, 2, 6, 0, 1, 3, 4, 0, 5, 6, 6], unpadded.Place!.data<long>().ToArray());
        Assert.Equal((6, 9), (unpadded.Tokens, unpadded.RealTokens));
        Assert.True(unpadded.SharesPrefixes);

        var x = arange(1, 13, dtype: ScalarType.Float32).reshape(3, 4, 1);
        var packed = unpadded.Gather(x);
        Assert.Equal([1f, 2, 3, 7, 8, 10], packed.data<float>().ToArray());
        Assert.Equal([1f, 2, 3, 0, 1, 2, 7, 8, 1, 10, 0, 0], unpadded.Scatter(packed).data<float>().ToArray());

        // The same rows without sharing: every real token in its own row.
        var unshared = unpadded.Unshared;
        Assert.Equal([0L, 1, 2, 4, 5, 6, 7, 8, 9], unshared.Index.data<long>().ToArray());
        Assert.False(unshared.SharesPrefixes);

        // The same token at a position after different ones is not shared; equal unpadded rows leave out the second.
        using (var apart = Unpadding.Of([2, 2], width: 2, CPU, tokens: [[1, 2], [3, 2]])) Assert.False(apart.SharesPrefixes);
        using (var equal = Unpadding.Of([2, 2], width: 2, CPU, tokens: [[1, 2], [1, 2]])) Assert.Equal((2, true), (equal.Tokens, equal.LeavesOut));
        Assert.Throws<ArgumentOutOfRangeException>(() => Unpadding.Of([3], width: 3, CPU, tokens: [[1, 2]]));
    }

    [Theory]
    [InlineData("gpt2", false, false)]
    [InlineData("gpt2", true, false)]
    [InlineData("llama", false, false)]
    [InlineData("qwen3", true, false)]
    [InlineData("gpt2", false, true)]
    [InlineData("gpt2", true, true)]
    [InlineData("llama", false, true)]
    [InlineData("qwen3", true, true)]
    public void AnUnpaddedPassGivesThePaddedPassesScoresAndGradients(string architecture, bool checkpointLayers, bool sharedPrefixes)
    {
        using var model = Model(architecture);
        model.DisableDropout();
        model.ActivationCheckpointing = checkpointLayers;
        // Right-padded rows of 7, 3 and 5 real tokens; the padding id is a real token id elsewhere, as EOS is. With shared
        // prefixes, a fourth row repeats the first's prompt and first response token and the third begins as the first:
        // of its 21 real tokens, 7 + 1 + 1 + 5 are computed.
        (int[], int[])[] rows = sharedPrefixes
            ? [([5, 9, 17, 3], [22, 2, 40]), ([5, 9, 17, 3], [22, 7]), ([5, 9], [2]), ([4, 4, 30], [6, 2])]
            : [([5, 9, 17, 3], [22, 2, 40]), ([12, 8], [2]), ([4, 4, 30], [6, 2])];
        var batch = Batching.ResponseBatch.Pad(rows, padTokenId: 2, CPU);
        using var unpadded = batch.Unpadded()!;
        Assert.Equal(sharedPrefixes ? 7 + 1 + 1 + 5 : 15, unpadded.Tokens);
        Assert.Equal(sharedPrefixes, unpadded.SharesPrefixes);

        (TokenLogProbs Scores, Tensor Hidden, Tensor[] Gradients) Pass(Unpadding? u)
        {
            model.zero_grad();
            var hidden = model.Hidden(batch.InputIds, unpadded: u);
            var scores = u is null
                ? TokenLogProbs.FromLogits(model.Logits(hidden), batch.InputIds, batch.ResponseMask)
                : TokenLogProbs.OfResponses(hidden, model.Logits, batch.InputIds, batch.ResponseMask, u);
            (scores.Nll.sum() - 0.1 * scores.Entropy.sum()).backward();
            if (model.TakeCheckpointError() is { } error) throw error;
            return (scores, hidden.detach(), [.. model.parameters().Select(p => p.grad!.clone())]);
        }
        var padded = Pass(null);
        var packed = Pass(unpadded);

        var real = batch.AttentionMask().to(ScalarType.Bool).unsqueeze(-1);             // (B, T, 1)
        Assert.True(packed.Hidden.masked_select(real).allclose(padded.Hidden.masked_select(real), rtol: 1e-4, atol: 1e-5));
        Assert.Equal(0, packed.Hidden.masked_select(real.logical_not()).abs().sum().item<float>());
        Assert.True(packed.Scores.LogProbs.allclose(padded.Scores.LogProbs, rtol: 1e-4, atol: 1e-5));
        Assert.True(packed.Scores.Entropy.allclose(padded.Scores.Entropy, rtol: 1e-4, atol: 1e-5));
        Assert.NotEqual(0, padded.Scores.LogProbs.abs().sum().item<float>());
        foreach (var (a, b) in packed.Gradients.Zip(padded.Gradients))
            Assert.True(a.allclose(b, rtol: 1e-3, atol: 1e-6), $"{architecture}: a gradient differs by {(a - b).abs().max().item<float>()}");
    }

    [Fact]
    public void APassThatDrawsDropoutComputesEveryRowsPrefixItself()
    {
        var config = TinyModels.Gpt2Config() with { resid_pdrop = 0.2, embd_pdrop = 0.2, attn_pdrop = 0.2 };
        random.manual_seed(4);
        using var model = new Models.Gpt2.Gpt2LMHeadModel(config);
        var batch = Batching.ResponseBatch.Pad([([5, 9, 17, 3], [22, 2, 40]), ([5, 9, 17, 3], [22, 7])], padTokenId: 2, CPU);
        using var unpadded = batch.Unpadded();
        Assert.True(unpadded.SharesPrefixes);

        // In training mode each row draws its own masks, over the rows' own tokens: the pass is that of the unshared layout
        // (the same masks from the same seed). Sharing would draw masks over fewer tokens and give other values.
        model.train();
        Assert.True(model.DrawsDropout());
        Tensor Hidden(Unpadding layout)
        {
            // Each pass in a dispose scope of its own, as a method's steps are: the layout outlives them.
            using var pass = NewDisposeScope();
            random.manual_seed(11);
            return model.Hidden(batch.InputIds, unpadded: layout).detach().MoveToOuterDisposeScope();
        }
        Assert.True(Hidden(unpadded).equal(Hidden(unpadded.Unshared)).all().item<bool>());
        Assert.True(Hidden(unpadded).equal(Hidden(unpadded)).all().item<bool>());

        model.eval();
        Assert.False(model.DrawsDropout());
        model.train();
        model.DisableDropout();
        Assert.False(model.DrawsDropout());
        // A LoRA adapter's dropout counts as well, in training mode only.
        Adapters.Lora.Attach(model, ["c_attn"], rank: 2, alpha: 4, dropout: 0.1);
        model.train();
        Assert.True(model.DrawsDropout());
        model.eval();
        Assert.False(model.DrawsDropout());
    }

    [Fact]
    public void ARewardModelScoresRightPaddedRowsUnpaddedWithoutAMaskAsWithOne()
    {
        using var classifier = new SequenceClassifier(Model("llama"));
        var batch = Batching.ResponseBatch.Pad([([5, 9, 17, 3], [22, 2, 40]), ([12, 8], [2]), ([4, 4, 30], [6, 2])], padTokenId: 2, CPU);
        using var unpadded = batch.Unpadded();
        var masked = classifier.Scores(batch.InputIds, batch.AttentionMask());                        // (B, T, 1)
        var packed = classifier.Scores(batch.InputIds, unpadded: unpadded);
        var real = batch.AttentionMask().to(ScalarType.Bool).unsqueeze(-1);
        Assert.True(packed.masked_select(real).allclose(masked.masked_select(real), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void RowsWithoutResponsesScoreNothing()
    {
        using var model = TinyModels.Gpt2(seed: 4);
        var batch = Batching.ResponseBatch.Pad([([5, 9, 17], []), ([12, 8], [])], padTokenId: 0, CPU);
        using var unpadded = batch.Unpadded();
        Assert.Equal(0, unpadded.Predicting!.shape[0]);
        using var scores = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, unpadded);
        Assert.Equal([2L, 3], scores.LogProbs.shape);
        Assert.Equal(0, scores.LogProbs.abs().sum().item<float>());
        Assert.Equal(0, scores.Entropy.abs().sum().item<float>());
    }

    [Fact]
    public void APassRefusesAnUnpaddingOfAnotherShapeOrWithACache()
    {
        using var model = TinyModels.Gpt2(seed: 4);
        var ids = tensor(new long[] { 5, 9, 17, 2, 12, 8 }, [2, 3]);
        using var wrongWidth = Unpadding.Of([2, 2, 1], width: 2, CPU);
        Assert.Contains("3 × 2", Assert.Throws<ArgumentException>(() => model.Hidden(ids, unpadded: wrongWidth)).Message);
        using var fitting = Unpadding.Of([3, 2], width: 3, CPU);
        using var cache = model.NewCache();
        Assert.Contains("no KV cache", Assert.Throws<ArgumentException>(() => model.Hidden(ids, cache: cache, unpadded: fitting)).Message);
    }
}
