using System.Diagnostics;
using AlignLab.Testing.Reference;
using Xunit.Abstractions;

namespace AlignLab.Training.Tests.Reference;

/// <summary>Random tiny models: internal consistency, causality, dtype/sharding invariance and speed at T ~ 1100.</summary>
public class ReferenceLmPropertyTests(ITestOutputHelper output)
{
    private static Dictionary<string, (int[] Shape, double[] Values)> RandomLlamaWeights(
        int seed, int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, int inter, bool qkNorm = false, bool qkvBias = false)
    {
        var rng = new Random(seed);
        double[] R(int n, double scale) => Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray();
        double[] Ones(int n) => Enumerable.Range(0, n).Select(_ => 1 + (rng.NextDouble() - 0.5) * 0.2).ToArray();
        var w = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            ["model.embed_tokens.weight"] = ([vocab, hidden], R(vocab * hidden, 1.0)),
            ["model.norm.weight"] = ([hidden], Ones(hidden)),
            ["lm_head.weight"] = ([vocab, hidden], R(vocab * hidden, 0.5)),
        };
        double s = 1 / Math.Sqrt(hidden);
        for (int i = 0; i < layers; i++)
        {
            string l = $"model.layers.{i}.";
            w[l + "input_layernorm.weight"] = ([hidden], Ones(hidden));
            w[l + "post_attention_layernorm.weight"] = ([hidden], Ones(hidden));
            w[l + "self_attn.q_proj.weight"] = ([heads * headDim, hidden], R(heads * headDim * hidden, 2 * s));
            w[l + "self_attn.k_proj.weight"] = ([kvHeads * headDim, hidden], R(kvHeads * headDim * hidden, 2 * s));
            w[l + "self_attn.v_proj.weight"] = ([kvHeads * headDim, hidden], R(kvHeads * headDim * hidden, s));
            w[l + "self_attn.o_proj.weight"] = ([hidden, heads * headDim], R(hidden * heads * headDim, s));
            w[l + "mlp.gate_proj.weight"] = ([inter, hidden], R(inter * hidden, s));
            w[l + "mlp.up_proj.weight"] = ([inter, hidden], R(inter * hidden, s));
            w[l + "mlp.down_proj.weight"] = ([hidden, inter], R(hidden * inter, 1 / Math.Sqrt(inter)));
            if (qkNorm)
            {
                w[l + "self_attn.q_norm.weight"] = ([headDim], Ones(headDim));
                w[l + "self_attn.k_norm.weight"] = ([headDim], Ones(headDim));
            }

            if (qkvBias)
            {
                w[l + "self_attn.q_proj.bias"] = ([heads * headDim], R(heads * headDim, 0.1));
                w[l + "self_attn.k_proj.bias"] = ([kvHeads * headDim], R(kvHeads * headDim, 0.1));
                w[l + "self_attn.v_proj.bias"] = ([kvHeads * headDim], R(kvHeads * headDim, 0.1));
            }
        }

        return w;
    }

    private static Dictionary<string, object?> Config(string type, int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, int inter) => new()
    {
        ["model_type"] = type,
        ["vocab_size"] = vocab,
        ["hidden_size"] = hidden,
        ["num_hidden_layers"] = layers,
        ["num_attention_heads"] = heads,
        ["num_key_value_heads"] = kvHeads,
        ["head_dim"] = headDim,
        ["intermediate_size"] = inter,
        ["rms_norm_eps"] = 1e-6,
        ["rope_theta"] = 10000.0,
        ["tie_word_embeddings"] = false,
        ["max_position_embeddings"] = 4096,
    };

    private static int[] RandomIds(int seed, int count, int vocab)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(vocab)).ToArray();
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void TokenLogProbs_AreTheGatheredLogSoftmaxRows_AndCausal(string type)
    {
        using var dir = new TempModelFolder()
            .WriteConfig(Config(type, 50, 16, 2, 4, 2, 6, 24))
            .WriteWeights(RandomLlamaWeights(1, 50, 16, 2, 4, 2, 6, 24, qkNorm: type == "qwen3", qkvBias: type == "qwen2"));
        var ids = RandomIds(2, 20, 50);
        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        var rows = ReferenceLm.LogSoftmax(dir.Path, ids);
        Assert.Equal(19, lp.Length);
        for (int t = 0; t < 19; t++)
        {
            Assert.Equal(rows[t][ids[t + 1]], lp[t], 1e-12);
            Assert.True(lp[t] < 0);
        }

        foreach (var row in rows)
        {
            Assert.Equal(1.0, row.Sum(Math.Exp), 1e-12);
        }

        // Causality: changing the last token leaves every earlier prediction unchanged.
        var changed = (int[])ids.Clone();
        changed[^1] = (changed[^1] + 1) % 50;
        var rows2 = ReferenceLm.LogSoftmax(dir.Path, changed);
        for (int t = 0; t < 19; t++)
        {
            Assert.Equal(rows[t], rows2[t]);
        }

        Assert.NotEqual(rows[19], rows2[19]);
    }

    [Fact]
    public void Bf16File_EqualsF32File_WhenValuesAreBf16Exact_AndShardingDoesNotMatter()
    {
        // Round every weight to bf16 first so both files hold identical values.
        var w = RandomLlamaWeights(3, 40, 8, 2, 2, 1, 4, 12).ToDictionary(
            kv => kv.Key,
            kv => (kv.Value.Shape, kv.Value.Values.Select(v => (double)BitConverter.UInt32BitsToSingle((uint)SafeTensorsTestWriter.ToBf16Bits((float)v) << 16)).ToArray()));
        var cfg = Config("llama", 40, 8, 2, 2, 1, 4, 12);
        using var f32 = new TempModelFolder().WriteConfig(cfg).WriteWeights(w, "F32");
        using var bf16 = new TempModelFolder().WriteConfig(cfg).WriteShardedWeights(w, 2, "BF16");
        var ids = RandomIds(4, 12, 40);
        Assert.Equal(ReferenceLm.TokenLogProbs(f32.Path, ids), ReferenceLm.TokenLogProbs(bf16.Path, ids));
    }

    [Fact]
    public void Llama3RopeScaling_ChangesOnlyLowFrequencies()
    {
        // With original_max_position_embeddings large and the band above all wavelengths, llama3 == default.
        var w = RandomLlamaWeights(5, 30, 8, 1, 2, 2, 4, 8);
        var plain = Config("llama", 30, 8, 1, 2, 2, 4, 8);
        var scaled = Config("llama", 30, 8, 1, 2, 2, 4, 8);
        scaled["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0, ["original_max_position_embeddings"] = 1_000_000 };
        var tight = Config("llama", 30, 8, 1, 2, 2, 4, 8);
        tight["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0, ["original_max_position_embeddings"] = 16 };
        using var a = new TempModelFolder().WriteConfig(plain).WriteWeights(w);
        using var b = new TempModelFolder().WriteConfig(scaled).WriteWeights(w);
        using var c = new TempModelFolder().WriteConfig(tight).WriteWeights(w);
        var ids = RandomIds(6, 10, 30);
        var la = ReferenceLm.TokenLogProbs(a.Path, ids);
        Assert.Equal(la, ReferenceLm.TokenLogProbs(b.Path, ids), new Tolerance(1e-12));
        Assert.NotEqual(la, ReferenceLm.TokenLogProbs(c.Path, ids), new Tolerance(1e-9));
    }

    [Fact]
    public void Speed_T1100_TinyModel()
    {
        const int vocab = 4096, hidden = 64, t = 1100;
        using var dir = new TempModelFolder()
            .WriteConfig(Config("llama", vocab, hidden, 2, 4, 2, 16, 128))
            .WriteWeights(RandomLlamaWeights(7, vocab, hidden, 2, 4, 2, 16, 128), "BF16");
        var ids = RandomIds(8, t, vocab);
        var sw = Stopwatch.StartNew();
        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        sw.Stop();
        output.WriteLine($"TokenLogProbs T={t} vocab={vocab} hidden={hidden}: {sw.Elapsed.TotalSeconds:F2}s");
        Assert.Equal(t - 1, lp.Length);
        Assert.All(lp, v => Assert.True(double.IsFinite(v) && v < 0));
        Assert.True(sw.Elapsed.TotalSeconds < 60, $"took {sw.Elapsed.TotalSeconds:F1}s");
    }
}
