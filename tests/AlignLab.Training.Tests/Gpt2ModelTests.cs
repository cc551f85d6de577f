using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class Gpt2ModelTests
{
    private static readonly Tensor Ids = tensor(new long[] { 5, 9, 17, 3, 44, 12, 8, 30 }, [2, 4]);

    [Fact]
    public void ParametersCarryHuggingFaceNamesAndShapes()
    {
        using var model = TinyModels.Gpt2();
        var state = model.state_dict();
        Assert.Equal([61L, 32L], state["transformer.wte.weight"].shape);
        Assert.Equal([64L, 32L], state["transformer.wpe.weight"].shape);
        Assert.Equal([32L, 96L], state["transformer.h.0.attn.c_attn.weight"].shape);  // Conv1D: (in, out)
        Assert.Equal([128L], state["transformer.h.1.mlp.c_fc.bias"].shape);
        Assert.Contains("transformer.ln_f.weight", state.Keys);
        Assert.DoesNotContain("lm_head.weight", state.Keys);                           // tied to wte
        Assert.Equal(2 * 12 + 4, state.Count);
    }

    [Fact]
    public void SavingAndLoadingGivesIdenticalLogits()
    {
        using var model = TinyModels.Gpt2();
        var folder = TinyModels.TempFolder();
        ModelFolder.Save(model, folder);
        using var loaded = ModelFolder.Load(folder);
        loaded.eval();

        using var expected = model.Forward(Ids);
        using var actual = loaded.Forward(Ids);
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.IsType<Gpt2Config>(ModelFolder.ReadConfig(folder));
    }

    [Fact]
    public void AShardedCheckpointLoadsToTheSameModel()
    {
        using var model = TinyModels.Gpt2();
        var folder = TinyModels.TempFolder();
        ModelFolder.Save(model, folder, maxShardBytes: 20_000);
        Assert.True(Directory.GetFiles(folder, "model-*.safetensors").Length > 1);
        using var loaded = ModelFolder.Load(folder);
        loaded.eval();
        Assert.True(model.Forward(Ids).eq(loaded.Forward(Ids)).all().item<bool>());
    }

    [Fact]
    public void AShapeMismatchNamesTheTensor()
    {
        using var model = TinyModels.Gpt2(vocab: 61);
        var folder = TinyModels.TempFolder();
        ModelFolder.Save(model, folder);
        using var bigger = new Gpt2LMHeadModel(TinyModels.Gpt2Config(vocab: 62));
        var error = Assert.Throws<WeightsFormatException>(() => ModelFolder.LoadWeights(bigger, SafetensorsCheckpoint.Open(folder)));
        Assert.Contains("tensor 'transformer.wte.weight': checkpoint has shape [61, 32], the model expects [62, 32]", error.Message);
    }

    [Fact]
    public void ACheckpointOfTheBareTransformerLoads()
    {
        using var model = TinyModels.Gpt2();
        var folder = TinyModels.TempFolder();
        var bare = model.state_dict().ToDictionary(kv => kv.Key["transformer.".Length..], kv => kv.Value);
        bare["h.0.attn.bias"] = ones(1, 1, 64, 64);                                       // old HF causal-mask buffer
        SafetensorsWriter.WriteCheckpoint(folder, bare);
        using var loaded = new Gpt2LMHeadModel(TinyModels.Gpt2Config());
        loaded.eval();
        ModelFolder.LoadWeights(loaded, SafetensorsCheckpoint.Open(folder));
        Assert.True(model.Forward(Ids).eq(loaded.Forward(Ids)).all().item<bool>());
    }

    [Fact]
    public void LaterTokensDoNotChangeEarlierLogits()
    {
        using var model = TinyModels.Gpt2();
        using var scope = NewDisposeScope();
        var changed = Ids.clone();
        changed[0, 3] = 60;
        var a = model.Forward(Ids).narrow(1, 0, 3);
        var b = model.Forward(changed).narrow(1, 0, 3);
        Assert.True(a.allclose(b, atol: 1e-6));
        Assert.False(model.Forward(Ids).select(1, 3).allclose(model.Forward(changed).select(1, 3)));
    }

    [Fact]
    public void LeftPaddingDoesNotChangeTheLogitsOfRealTokens()
    {
        using var model = TinyModels.Gpt2();
        using var scope = NewDisposeScope();
        var plain = model.Forward(tensor(new long[] { 5, 9, 17 }, [1, 3]));
        var padded = model.Forward(tensor(new long[] { 0, 0, 5, 9, 17 }, [1, 5]), tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        Assert.True(plain.allclose(padded.narrow(1, 2, 3), atol: 1e-5));
        Assert.False(padded.isnan().any().item<bool>());
    }

    [Fact]
    public void TheKvCacheGivesTheSameLogitsAsAFullPass()
    {
        using var model = TinyModels.Gpt2();
        using var scope = NewDisposeScope();
        using var cache = model.NewCache();
        var full = model.Forward(Ids);
        var first = model.Forward(Ids.narrow(1, 0, 3), cache: cache);
        var last = model.Forward(Ids.narrow(1, 3, 1), cache: cache);
        Assert.Equal(4, cache.Length);
        Assert.True(full.narrow(1, 0, 3).allclose(first, atol: 1e-5));
        Assert.True(full.narrow(1, 3, 1).allclose(last, atol: 1e-5));
    }

    [Fact]
    public void GreedyGenerationWithTheCacheEqualsArgmaxOfFullPasses()
    {
        using var model = TinyModels.Gpt2(seed: 3);
        var prompt = new[] { 5, 9, 17 };
        var generated = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 12, Temperature = 0, EosTokenId = -1 })[0];

        var reference = prompt.ToList();
        using (no_grad())
            for (int i = 0; i < 12; i++)
            {
                using var scope = NewDisposeScope();
                var logits = model.Forward(tensor(reference.Select(t => (long)t).ToArray(), [1, reference.Count]));
                reference.Add((int)logits[0, -1].argmax().item<long>());
            }
        Assert.Equal(reference.Skip(prompt.Length), generated.Tokens);
        Assert.False(generated.EndedWithEos);
    }

    [Fact]
    public void BatchedLeftPaddedGenerationEqualsEachPromptAlone()
    {
        using var model = TinyModels.Gpt2(seed: 4);
        var prompts = new[] { new[] { 5, 9, 17, 3, 2 }, new[] { 44, 12 } };
        var options = new GenerationOptions { MaxNewTokens = 8, Temperature = 0, EosTokenId = -1, PadTokenId = 0 };
        var batched = TextGenerator.Generate(model, prompts, options);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(TextGenerator.Generate(model, [prompts[i]], options)[0].Tokens, batched[i].Tokens);
    }

    [Fact]
    public void GenerationStopsAtEosAndSamplingIsReproducibleWithASeed()
    {
        using var model = TinyModels.Gpt2(seed: 5);
        var greedy = TextGenerator.Generate(model, [[5, 9]], new GenerationOptions { MaxNewTokens = 6, Temperature = 0, EosTokenId = -1 })[0];
        var eos = greedy.Tokens[2];
        var stopped = TextGenerator.Generate(model, [[5, 9]], new GenerationOptions { MaxNewTokens = 6, Temperature = 0, EosTokenId = eos })[0];
        Assert.True(stopped.EndedWithEos);
        Assert.Equal(greedy.Tokens.TakeWhile(t => t != eos), stopped.Tokens);

        var sampling = new GenerationOptions { MaxNewTokens = 10, Temperature = 1.5, TopK = 20, TopP = 0.9, EosTokenId = -1, Seed = 42 };
        Assert.Equal(TextGenerator.Generate(model, [[5, 9]], sampling)[0].Tokens, TextGenerator.Generate(model, [[5, 9]], sampling)[0].Tokens);
    }

    [Fact]
    public void TopKOneIsGreedy()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0.1f, 2f, -1f, 1.9f, 0f, 3f }, [2, 3]);
        var chosen = TextGenerator.Choose(logits, new GenerationOptions { Temperature = 1, TopK = 1 });
        Assert.Equal(new long[] { 1, 2 }, chosen.data<long>().ToArray());
    }

    [Fact]
    public void TokenLogProbsScoreOnlyResponseTokensWithTheModelsDistribution()
    {
        using var model = TinyModels.Gpt2();
        using var scope = NewDisposeScope();
        var attention = ones(2, 4, dtype: ScalarType.Int64);
        var response = tensor(new long[] { 0, 0, 1, 1, 0, 1, 1, 0 }, [2, 4]);
        var scores = TokenLogProbs.FromLogits(model.Forward(Ids, attention), Ids, response);

        var logp = nn.functional.log_softmax(model.Forward(Ids), -1);
        Assert.Equal(logp[0, 1, 17].item<float>(), scores.LogProbs[0, 2].item<float>(), 5);
        Assert.Equal(logp[1, 0, 12].item<float>(), scores.LogProbs[1, 1].item<float>(), 5);
        Assert.Equal(0f, scores.LogProbs[0, 1].item<float>());
        Assert.Equal(0f, scores.LogProbs[1, 3].item<float>());
        Assert.Equal(-scores.LogProbs[0, 3].item<float>(), scores.Nll[0, 3].item<float>(), 6);
        var p = logp[0, 2].exp();
        Assert.Equal((-(p * logp[0, 2]).sum()).item<float>(), scores.Entropy[0, 3].item<float>(), 4);
    }
}
