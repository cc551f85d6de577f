using AlignLab.Training.Adapters;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Llama;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

public class LlamaModelTests
{
    private static readonly Tensor Ids = tensor(new long[] { 5, 9, 17, 3, 44, 12, 8, 30 }, [2, 4]);

    private static LlamaConfig Config(string type = "llama", bool tied = false, int kvHeads = 2) => new()
    {
        model_type = type, vocab_size = 61, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 2,
        num_attention_heads = 4, num_key_value_heads = kvHeads, max_position_embeddings = 64, tie_word_embeddings = tied,
        bos_token_id = 1, eos_token_id = 2,
    };

    private static LlamaForCausalLM Model(LlamaConfig? config = null, int seed = 1)
    {
        random.manual_seed(seed);
        var model = new LlamaForCausalLM(config ?? Config());
        model.eval();
        return model;
    }

    [Fact]
    public void ParametersCarryHuggingFaceNamesAndGroupedQueryShapes()
    {
        using var model = Model();
        var state = model.state_dict();
        Assert.Equal([61L, 32L], state["model.embed_tokens.weight"].shape);
        Assert.Equal([32L, 32L], state["model.layers.0.self_attn.q_proj.weight"].shape);
        Assert.Equal([16L, 32L], state["model.layers.0.self_attn.k_proj.weight"].shape);   // 2 kv heads × 8
        Assert.Equal([48L, 32L], state["model.layers.1.mlp.gate_proj.weight"].shape);
        Assert.Equal([32L], state["model.layers.1.post_attention_layernorm.weight"].shape);
        Assert.Contains("model.norm.weight", state.Keys);
        Assert.Contains("lm_head.weight", state.Keys);
        Assert.DoesNotContain("model.layers.0.self_attn.q_proj.bias", state.Keys);

        using var qwen = Model(Config("qwen2", tied: true));
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", qwen.state_dict().Keys);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", qwen.state_dict().Keys);
        Assert.DoesNotContain("lm_head.weight", qwen.state_dict().Keys);
    }

    [Theory]
    [InlineData("llama", false)]
    [InlineData("mistral", false)]
    [InlineData("qwen2", true)]
    public void SavingAndLoadingGivesIdenticalLogits(string type, bool tied)
    {
        using var model = Model(Config(type, tied));
        var folder = TinyModels.TempFolder();
        ModelFolder.Save(model, folder);
        using var loaded = ModelFolder.Load(folder);
        loaded.eval();
        Assert.IsType<LlamaConfig>(loaded.Config);
        Assert.True(model.Forward(Ids).eq(loaded.Forward(Ids)).all().item<bool>());
    }

    [Fact]
    public void RotaryEmbeddingsMakeScoresDependOnlyOnRelativePosition()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var q = randn(1, 1, 1, 8);
        var k = randn(1, 1, 1, 8);
        double Score(long qPos, long kPos)
        {
            var (cq, sq) = Rope.Angles(tensor(new[] { qPos }).view(1, 1), 8, 10000, ScalarType.Float32);
            var (ck, sk) = Rope.Angles(tensor(new[] { kPos }).view(1, 1), 8, 10000, ScalarType.Float32);
            return (Rope.Apply(q, cq, sq) * Rope.Apply(k, ck, sk)).sum().item<float>();
        }
        Assert.Equal(Score(5, 2), Score(15, 12), 4);
        Assert.Equal(Score(0, 0), (q * k).sum().item<float>(), 5);   // position 0 is the identity
        Assert.NotEqual(Score(5, 2), Score(5, 4), 3);
    }

    [Fact]
    public void TheKvCacheAndLeftPaddingAgreeWithPlainFullPasses()
    {
        using var model = Model();
        using var scope = NewDisposeScope();
        using var cache = model.NewCache();
        var full = model.Forward(Ids);
        var first = model.Forward(Ids.narrow(1, 0, 3), cache: cache);
        var last = model.Forward(Ids.narrow(1, 3, 1), cache: cache);
        Assert.True(full.narrow(1, 0, 3).allclose(first, atol: 1e-5));
        Assert.True(full.narrow(1, 3, 1).allclose(last, atol: 1e-5));

        var plain = model.Forward(tensor(new long[] { 5, 9, 17 }, [1, 3]));
        var padded = model.Forward(tensor(new long[] { 0, 0, 5, 9, 17 }, [1, 5]), tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        Assert.True(plain.allclose(padded.narrow(1, 2, 3), atol: 1e-5));
    }

    [Fact]
    public void GreedyGenerationWithTheCacheEqualsArgmaxOfFullPasses()
    {
        using var model = Model(seed: 7);
        var prompt = new[] { 5, 9, 17 };
        var generated = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 10, Temperature = 0, EosTokenId = -1 })[0];
        var reference = prompt.ToList();
        using (no_grad())
            for (int i = 0; i < 10; i++)
            {
                using var scope = NewDisposeScope();
                reference.Add((int)model.Forward(tensor(reference.Select(t => (long)t).ToArray(), [1, reference.Count]))[0, -1].argmax().item<long>());
            }
        Assert.Equal(reference.Skip(3), generated.Tokens);
    }

    [Fact]
    public void LoraTargetsTheQueryAndValueProjectionsByDefault()
    {
        using var model = Model();
        var names = Lora.Attach(model, Lora.DefaultTargets(model.Config.ModelType), 4, 8, 0);
        Assert.Equal(["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"], names);
    }
}
