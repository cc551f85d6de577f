using AlignLab.Testing.Reference;

namespace AlignLab.Training.Tests.Reference;

/// <summary>
/// Whole tiny models whose log-probs are worked out by hand below, with scalar arithmetic on 2- and 3-vectors that
/// follows the transformers definitions step by step (no code shared with the reference implementation).
/// </summary>
public class ReferenceLmHandTests
{
    private const double Tol = 1e-12;
    private const double Eps = 1e-6;

    // ---------------------------------------------------------------- llama / mistral / qwen2 (uniform attention)
    //
    // hidden 2, 4 query heads, 2 kv heads, head_dim 2 (explicit: hidden/heads would be 0), intermediate 1, vocab 3.
    // q_proj = 0, so every score is 0 and each position attends uniformly to positions <= t (RoPE rotates a zero
    // vector). v_proj: kv head 0 = identity, kv head 1 = [[0,3],[3,0]]. o_proj reads query head 1 (dims 2,3) and
    // half of query head 2 (dim 4): with repeat_kv (head h -> kv head h / 2) head 1 sees kv 0 and head 2 sees kv 1,
    // so o = [m0 + 0.5 * 3 * m1, m1] where m = running mean of v_kv0 (= normed input).
    // MLP: gate [1,-1], up [0.5, 1], down [1,-2]: g = silu(n0 - n1) * (0.5 n0 + n1), x += [g, -2g].
    // Embeddings tied: logits = E f with E = [[1,0],[0,2],[1,1]].
    private static readonly double[][] Embed = [[1, 0], [0, 2], [1, 1]];

    private sealed record Biases(double[] V0, double[] V1, double[] O, double Gate, double Up, double[] Down)
    {
        public static readonly Biases None = new([0, 0], [0, 0], [0, 0], 0, 0, [0, 0]);
    }

    private static Dictionary<string, (int[] Shape, double[] Values)> UniformWeights(string prefix = "model.", Biases? b = null, bool qkvBias = false, bool oBias = false, bool mlpBias = false)
    {
        b ??= Biases.None;
        string l = prefix + "layers.0.";
        var w = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            [prefix + "embed_tokens.weight"] = ([3, 2], [1, 0, 0, 2, 1, 1]),
            [l + "input_layernorm.weight"] = ([2], [1, 1]),
            [l + "post_attention_layernorm.weight"] = ([2], [0.5, 2]),
            [l + "self_attn.q_proj.weight"] = ([8, 2], new double[16]),
            [l + "self_attn.k_proj.weight"] = ([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
            [l + "self_attn.v_proj.weight"] = ([4, 2], [1, 0, 0, 1, 0, 3, 3, 0]),
            [l + "self_attn.o_proj.weight"] = ([2, 8], [0, 0, 1, 0, 0.5, 0, 0, 0, /**/ 0, 0, 0, 1, 0, 0, 0, 0]),
            [l + "mlp.gate_proj.weight"] = ([1, 2], [1, -1]),
            [l + "mlp.up_proj.weight"] = ([1, 2], [0.5, 1]),
            [l + "mlp.down_proj.weight"] = ([2, 1], [1, -2]),
            [prefix + "norm.weight"] = ([2], [1, 1]),
        };
        if (qkvBias)
        {
            w[l + "self_attn.q_proj.bias"] = ([8], new double[8]); // keeps q = 0
            w[l + "self_attn.k_proj.bias"] = ([4], [0.25, -1, 2, 0]);
            w[l + "self_attn.v_proj.bias"] = ([4], [b.V0[0], b.V0[1], b.V1[0], b.V1[1]]);
        }

        if (oBias)
        {
            w[l + "self_attn.o_proj.bias"] = ([2], b.O);
        }

        if (mlpBias)
        {
            w[l + "mlp.gate_proj.bias"] = ([1], [b.Gate]);
            w[l + "mlp.up_proj.bias"] = ([1], [b.Up]);
            w[l + "mlp.down_proj.bias"] = ([2], b.Down);
        }

        return w;
    }

    private static object UniformConfig(string modelType, bool tie = true, object? extra = null)
    {
        var d = new Dictionary<string, object?>
        {
            ["model_type"] = modelType,
            ["hidden_size"] = 2,
            ["intermediate_size"] = 1,
            ["num_hidden_layers"] = 1,
            ["num_attention_heads"] = 4,
            ["num_key_value_heads"] = 2,
            ["head_dim"] = 2,
            ["vocab_size"] = 3,
            ["rms_norm_eps"] = Eps,
            ["tie_word_embeddings"] = tie,
            ["rope_theta"] = 10000.0,
            ["max_position_embeddings"] = 64,
        };
        if (extra is Dictionary<string, object?> e)
        {
            foreach (var kv in e)
            {
                d[kv.Key] = kv.Value;
            }
        }

        return d;
    }

    /// <summary>Final hidden states of the uniform-attention model, by hand.</summary>
    private static double[][] UniformFinalHidden(int[] ids, Biases b)
    {
        var normed = ids.Select(id => Rms(Embed[id], [1, 1])).ToArray();
        var result = new double[ids.Length][];
        for (int t = 0; t < ids.Length; t++)
        {
            // m = mean over j <= t of v_kv0 = n_j + bV0 ; kv1 value = [3 n1, 3 n0] + bV1
            double m0 = 0, m1 = 0, k0 = 0;
            for (int j = 0; j <= t; j++)
            {
                m0 += normed[j][0] + b.V0[0];
                m1 += normed[j][1] + b.V0[1];
                k0 += (3 * normed[j][1]) + b.V1[0];
            }

            m0 /= t + 1;
            m1 /= t + 1;
            k0 /= t + 1;
            double[] x1 = [Embed[ids[t]][0] + m0 + (0.5 * k0) + b.O[0], Embed[ids[t]][1] + m1 + b.O[1]];
            var n2 = Rms(x1, [0.5, 2]);
            double g = Silu(n2[0] - n2[1] + b.Gate) * ((0.5 * n2[0]) + n2[1] + b.Up);
            double[] x2 = [x1[0] + g + b.Down[0], x1[1] - (2 * g) + b.Down[1]];
            result[t] = Rms(x2, [1, 1]);
        }

        return result;
    }

    private static double[] TiedLogits(double[] f) => [f[0], 2 * f[1], f[0] + f[1]];

    [Fact]
    public void Llama_UniformAttention_TokenLogProbs_And_LogSoftmax_ByHand()
    {
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("llama")).WriteWeights(UniformWeights());
        int[] ids = [0, 1, 2];
        var f = UniformFinalHidden(ids, Biases.None);

        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        Assert.Equal(2, lp.Length);
        Assert.Equal(LogSoftmax(TiedLogits(f[0]))[1], lp[0], Tol); // log p(1 | 0)
        Assert.Equal(LogSoftmax(TiedLogits(f[1]))[2], lp[1], Tol); // log p(2 | 0 1)

        var rows = ReferenceLm.LogSoftmax(dir.Path, ids);
        Assert.Equal(3, rows.Length);
        for (int t = 0; t < 3; t++)
        {
            var expected = LogSoftmax(TiedLogits(f[t]));
            for (int v = 0; v < 3; v++)
            {
                Assert.Equal(expected[v], rows[t][v], Tol);
            }
        }
    }

    [Fact]
    public void Llama_SingleToken_LogSoftmax_ByHand()
    {
        // One token: attention is the token's own value vector.
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("llama")).WriteWeights(UniformWeights());
        var expected = LogSoftmax(TiedLogits(UniformFinalHidden([2], Biases.None)[0]));
        var rows = ReferenceLm.LogSoftmax(dir.Path, [2]);
        Assert.Single(rows);
        Assert.Equal(expected, rows[0], new Close(Tol));
        Assert.Empty(ReferenceLm.TokenLogProbs(dir.Path, [2]));
    }

    [Fact]
    public void Llama_RejectsEmptyAndOutOfRangeIds()
    {
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("llama")).WriteWeights(UniformWeights());
        Assert.Throws<ArgumentException>(() => ReferenceLm.TokenLogProbs(dir.Path, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceLm.TokenLogProbs(dir.Path, [0, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceLm.LogSoftmax(dir.Path, [-1]));
    }

    [Fact]
    public void Llama_AttentionBias_And_MlpBias_ByHand()
    {
        var b = new Biases([0.1, -0.2], [0.3, 0.4], [0.05, -0.05], 0.2, -0.3, [0.01, 0.02]);
        var extra = new Dictionary<string, object?> { ["attention_bias"] = true, ["mlp_bias"] = true };
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("llama", extra: extra))
            .WriteWeights(UniformWeights(b: b, qkvBias: true, oBias: true, mlpBias: true), "F64"); // 0.1 etc. are not float32-exact
        int[] ids = [1, 0, 2, 2];
        var f = UniformFinalHidden(ids, b);
        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        for (int t = 0; t < 3; t++)
        {
            Assert.Equal(LogSoftmax(TiedLogits(f[t]))[ids[t + 1]], lp[t], Tol);
        }
    }

    [Fact]
    public void Qwen2_QkvBiases_NoOutputBias_ByHand()
    {
        // Qwen2: q/k/v always biased, o_proj never (an o_proj.bias in the file would be ignored by transformers).
        var b = new Biases([0.1, -0.2], [0.3, 0.4], [0, 0], 0, 0, [0, 0]);
        var weights = UniformWeights(b: b, qkvBias: true);
        weights["model.layers.0.self_attn.o_proj.bias"] = ([2], [100, 100]);
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("qwen2")).WriteWeights(weights, "F64");
        int[] ids = [2, 1, 0];
        var f = UniformFinalHidden(ids, b);
        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        Assert.Equal(LogSoftmax(TiedLogits(f[0]))[1], lp[0], Tol);
        Assert.Equal(LogSoftmax(TiedLogits(f[1]))[0], lp[1], Tol);
    }

    [Fact]
    public void Mistral_WithoutPrefix_UntiedHead_BF16_Sharded_ByHand()
    {
        // lm_head given explicitly (untied) as 2 * E, names without the "model." prefix, bf16, 3 shards.
        var weights = UniformWeights(prefix: string.Empty);
        weights["lm_head.weight"] = ([3, 2], [2, 0, 0, 4, 2, 2]);
        var extra = new Dictionary<string, object?> { ["sliding_window"] = null };
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("mistral", tie: false, extra: extra))
            .WriteShardedWeights(weights, shards: 3, dtype: "BF16");
        int[] ids = [0, 2, 1];
        var f = UniformFinalHidden(ids, Biases.None);
        var lp = ReferenceLm.TokenLogProbs(dir.Path, ids);
        Assert.Equal(LogSoftmax(TiedLogits(f[0]).Select(v => 2 * v).ToArray())[2], lp[0], Tol);
        Assert.Equal(LogSoftmax(TiedLogits(f[1]).Select(v => 2 * v).ToArray())[1], lp[1], Tol);
    }

    [Fact]
    public void Mistral_SlidingWindow_ThrowsOnlyWhenItWouldMask()
    {
        var small = new Dictionary<string, object?> { ["sliding_window"] = 2 };
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("mistral", extra: small)).WriteWeights(UniformWeights());
        Assert.Throws<NotSupportedException>(() => ReferenceLm.TokenLogProbs(dir.Path, [0, 1, 2]));
        var lp = ReferenceLm.TokenLogProbs(dir.Path, [0, 1]); // T <= window: full causal == sliding
        Assert.Equal(LogSoftmax(TiedLogits(UniformFinalHidden([0, 1], Biases.None)[0]))[1], lp[0], Tol);
    }

    [Fact]
    public void SequenceScores_LastTokenThroughScoreHead_ByHand()
    {
        var weights = UniformWeights();
        weights["score.weight"] = ([2, 2], [1, -1, 0.5, 2]);
        using var dir = new TempModelFolder().WriteConfig(UniformConfig("llama")).WriteWeights(weights);
        int[] ids = [2, 0, 1];
        var f = UniformFinalHidden(ids, Biases.None)[2];
        var scores = ReferenceLm.SequenceScores(dir.Path, ids);
        Assert.Equal(2, scores.Length);
        Assert.Equal(f[0] - f[1], scores[0], Tol);
        Assert.Equal((0.5 * f[0]) + (2 * f[1]), scores[1], Tol);
    }

    // ---------------------------------------------------------------- qwen3 (q_norm / k_norm before RoPE)
    //
    // hidden 2, 1 head, head_dim 2 (inv_freq = [1]: position p rotates (a, b) by p radians), q_proj = v_proj =
    // o_proj = I, k_proj = [[0.5, 1], [1, -1]], q_norm weight [2, 0.5], k_norm weight [1, 1.5], MLP gate = 0 (so the
    // MLP adds silu(0) * up = 0), lm_head = I (untied), E = [[1, 0.5], [-0.5, 1]].
    // Position 1 attends to positions 0 and 1 with scores rot(qn(n1), 1) . rot(kn(K n_j), j) / sqrt(2).
    [Fact]
    public void Qwen3_QkNormBeforeRope_TwoTokens_ByHand()
    {
        var w = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            ["model.embed_tokens.weight"] = ([2, 2], [1, 0.5, -0.5, 1]),
            ["model.layers.0.input_layernorm.weight"] = ([2], [1, 1]),
            ["model.layers.0.post_attention_layernorm.weight"] = ([2], [1, 1]),
            ["model.layers.0.self_attn.q_proj.weight"] = ([2, 2], [1, 0, 0, 1]),
            ["model.layers.0.self_attn.k_proj.weight"] = ([2, 2], [0.5, 1, 1, -1]),
            ["model.layers.0.self_attn.v_proj.weight"] = ([2, 2], [1, 0, 0, 1]),
            ["model.layers.0.self_attn.o_proj.weight"] = ([2, 2], [1, 0, 0, 1]),
            ["model.layers.0.self_attn.q_norm.weight"] = ([2], [2, 0.5]),
            ["model.layers.0.self_attn.k_norm.weight"] = ([2], [1, 1.5]),
            ["model.layers.0.mlp.gate_proj.weight"] = ([1, 2], [0, 0]),
            ["model.layers.0.mlp.up_proj.weight"] = ([1, 2], [1, 1]),
            ["model.layers.0.mlp.down_proj.weight"] = ([2, 1], [1, 1]),
            ["model.norm.weight"] = ([2], [1, 1]),
            ["lm_head.weight"] = ([2, 2], [1, 0, 0, 1]),
        };
        var config = new Dictionary<string, object?>
        {
            ["model_type"] = "qwen3",
            ["hidden_size"] = 2,
            ["intermediate_size"] = 1,
            ["num_hidden_layers"] = 1,
            ["num_attention_heads"] = 1,
            ["num_key_value_heads"] = 1,
            ["head_dim"] = 2,
            ["vocab_size"] = 2,
            ["rms_norm_eps"] = Eps,
            ["tie_word_embeddings"] = false,
            ["rope_theta"] = 10000.0,
            ["attention_bias"] = false,
        };
        using var dir = new TempModelFolder().WriteConfig(config).WriteWeights(w);

        double[][] e = [[1, 0.5], [-0.5, 1]];
        int[] ids = [0, 1];
        var n = ids.Select(id => Rms(e[id], [1, 1])).ToArray();
        var k = n.Select(v => Rms([(0.5 * v[0]) + v[1], v[0] - v[1]], [1, 1.5])).ToArray();
        var q1 = Rms(n[1], [2, 0.5]);
        double[] RoPE(double[] v, double angle) => [(v[0] * Math.Cos(angle)) - (v[1] * Math.Sin(angle)), (v[1] * Math.Cos(angle)) + (v[0] * Math.Sin(angle))];

        double[] Position1(double[] qRot, double[] k0Rot, double[] k1Rot)
        {
            double s0 = ((qRot[0] * k0Rot[0]) + (qRot[1] * k0Rot[1])) / Math.Sqrt(2);
            double s1 = ((qRot[0] * k1Rot[0]) + (qRot[1] * k1Rot[1])) / Math.Sqrt(2);
            double p0 = 1 / (1 + Math.Exp(s1 - s0));
            double p1 = 1 - p0;
            double[] x = [e[1][0] + (p0 * n[0][0]) + (p1 * n[1][0]), e[1][1] + (p0 * n[0][1]) + (p1 * n[1][1])];
            return LogSoftmax(Rms(x, [1, 1]));
        }

        var row0 = LogSoftmax(Rms([e[0][0] + n[0][0], e[0][1] + n[0][1]], [1, 1]));
        var row1 = Position1(RoPE(q1, 1), k[0], RoPE(k[1], 1)); // position 0: rotation by 0

        var rows = ReferenceLm.LogSoftmax(dir.Path, ids);
        Assert.Equal(row0, rows[0], new Close(Tol));
        Assert.Equal(row1, rows[1], new Close(Tol));
        Assert.Equal(row0[1], ReferenceLm.TokenLogProbs(dir.Path, ids)[0], Tol);

        // The test is sensitive to the placement: normalising after RoPE gives a different answer.
        var kRaw = n.Select(v => new[] { (0.5 * v[0]) + v[1], v[0] - v[1] }).ToArray();
        var wrong = Position1(Rms(RoPE(n[1], 1), [2, 0.5]), Rms(kRaw[0], [1, 1.5]), Rms(RoPE(kRaw[1], 1), [1, 1.5]));
        Assert.True(Math.Abs(wrong[0] - row1[0]) > 1e-3, $"placement-insensitive: {wrong[0]} vs {row1[0]}");
    }

    // ---------------------------------------------------------------- gpt2 (Conv1D, LayerNorm, gelu_new, wpe)
    //
    // n_embd 3, 1 head (head_dim 3), n_inner 2, vocab 3. Conv1D weights are stored (in, out): y[o] = sum_i x[i] W[i][o] + b[o].
    private static readonly double[][] Wte = [[1, 0, 0], [0, 1, 0], [0.5, -1, 2]];
    private static readonly double[][] Wpe = [[0.1, 0.2, 0.3], [-0.2, 0, 0.4], [0, 0, 0], [0, 0, 0]];
    private static readonly double[][] Aq = [[0.5, 0, 0.2], [0, 1, 0], [0.3, 0, -1]];
    private static readonly double[][] Ak = [[1, 0.5, 0], [0, -1, 0.25], [0.5, 0, 1]];
    private static readonly double[][] Av = [[1, 2, 0], [0, 1, -1], [0.5, 0, 1]];
    private static readonly double[] Bq = [0, 0, 0.1], Bk = [0.2, 0, 0], Bv = [0, 0.3, 0];
    private static readonly double[][] Ap = [[1, 0, 0.5], [0, 1, 0], [-0.5, 0, 1]];
    private static readonly double[] Bp = [0.01, 0.02, 0.03];
    private static readonly double[][] Afc = [[1, -1], [0.5, 0.5], [0, 2]];
    private static readonly double[] Bfc = [0.1, -0.1];
    private static readonly double[][] Amp = [[1, 0, -1], [0.5, 1, 0]];

    [Fact]
    public void Gpt2_TwoTokens_ByHand()
    {
        var cAttn = new double[27]; // [3, 9]: columns 0-2 q, 3-5 k, 6-8 v
        for (int i = 0; i < 3; i++)
        {
            for (int o = 0; o < 3; o++)
            {
                cAttn[(i * 9) + o] = Aq[i][o];
                cAttn[(i * 9) + 3 + o] = Ak[i][o];
                cAttn[(i * 9) + 6 + o] = Av[i][o];
            }
        }

        var w = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            ["transformer.wte.weight"] = ([3, 3], Wte.SelectMany(r => r).ToArray()),
            ["transformer.wpe.weight"] = ([4, 3], Wpe.SelectMany(r => r).ToArray()),
            ["transformer.h.0.ln_1.weight"] = ([3], [1, 0.5, 2]),
            ["transformer.h.0.ln_1.bias"] = ([3], [0, 0.1, -0.1]),
            ["transformer.h.0.attn.c_attn.weight"] = ([3, 9], cAttn),
            ["transformer.h.0.attn.c_attn.bias"] = ([9], [.. Bq, .. Bk, .. Bv]),
            ["transformer.h.0.attn.c_proj.weight"] = ([3, 3], Ap.SelectMany(r => r).ToArray()),
            ["transformer.h.0.attn.c_proj.bias"] = ([3], Bp),
            ["transformer.h.0.attn.bias"] = ([1, 1, 4, 4], new double[16]), // old causal-mask buffer: ignored
            ["transformer.h.0.ln_2.weight"] = ([3], [1, 1, 1]),
            ["transformer.h.0.ln_2.bias"] = ([3], [0, 0, 0]),
            ["transformer.h.0.mlp.c_fc.weight"] = ([3, 2], Afc.SelectMany(r => r).ToArray()),
            ["transformer.h.0.mlp.c_fc.bias"] = ([2], Bfc),
            ["transformer.h.0.mlp.c_proj.weight"] = ([2, 3], Amp.SelectMany(r => r).ToArray()),
            ["transformer.h.0.mlp.c_proj.bias"] = ([3], [0, 0, 0]),
            ["transformer.ln_f.weight"] = ([3], [1, 1, 1]),
            ["transformer.ln_f.bias"] = ([3], [0, 0, 0.2]),
        };
        var config = new { model_type = "gpt2", n_embd = 3, n_head = 1, n_layer = 1, n_inner = 2, n_positions = 4, vocab_size = 3, layer_norm_epsilon = 1e-5 };
        using var dir = new TempModelFolder().WriteConfig(config).WriteWeights(w, "F64");

        int[] ids = [2, 0];
        var x = ids.Select((id, p) => Wte[id].Zip(Wpe[p], (a, b) => a + b).ToArray()).ToArray();
        var h = x.Select(v => Ln(v, [1, 0.5, 2], [0, 0.1, -0.1], 1e-5)).ToArray();
        var q = h.Select(v => Conv(v, Aq, Bq)).ToArray();
        var k = h.Select(v => Conv(v, Ak, Bk)).ToArray();
        var val = h.Select(v => Conv(v, Av, Bv)).ToArray();
        double Score(int i, int j) => q[i].Zip(k[j], (a, b) => a * b).Sum() / Math.Sqrt(3);
        double p0 = 1 / (1 + Math.Exp(Score(1, 1) - Score(1, 0)));
        double[][] attn = [val[0], val[0].Zip(val[1], (a, b) => (p0 * a) + ((1 - p0) * b)).ToArray()];
        var rows = new double[2][];
        for (int t = 0; t < 2; t++)
        {
            var x1 = x[t].Zip(Conv(attn[t], Ap, Bp), (a, b) => a + b).ToArray();
            var m = Conv(Ln(x1, [1, 1, 1], [0, 0, 0], 1e-5), Afc, Bfc).Select(GeluNewByFormula).ToArray();
            var x2 = x1.Zip(Conv(m, Amp, [0, 0, 0]), (a, b) => a + b).ToArray();
            var f = Ln(x2, [1, 1, 1], [0, 0, 0.2], 1e-5);
            rows[t] = LogSoftmax(Wte.Select(r => r.Zip(f, (a, b) => a * b).Sum()).ToArray());
        }

        var got = ReferenceLm.LogSoftmax(dir.Path, ids);
        Assert.Equal(rows[0], got[0], new Close(Tol));
        Assert.Equal(rows[1], got[1], new Close(Tol));
        Assert.Equal(rows[0][0], ReferenceLm.TokenLogProbs(dir.Path, ids)[0], Tol);
    }

    [Fact]
    public void Gpt2_AcceptsNamesWithoutTransformerPrefix()
    {
        var w = new Dictionary<string, (int[] Shape, double[] Values)>
        {
            ["wte.weight"] = ([2, 2], [1, 0, 0, 1]),
            ["wpe.weight"] = ([2, 2], [0, 0, 0, 0]),
            ["ln_f.weight"] = ([2], [1, 1]),
            ["ln_f.bias"] = ([2], [0, 0]),
        };
        // zero layers: logits = wte . ln_f(wte[id]); ln of [1, 0] = [1, -1] / sqrt(0.25 + eps) * 0.5 = ~[1, -1]
        using var dir = new TempModelFolder().WriteConfig(new { model_type = "gpt2", n_embd = 2, n_head = 1, n_layer = 0, n_positions = 2, vocab_size = 2 }).WriteWeights(w);
        double a = 0.5 / Math.Sqrt(0.25 + 1e-5);
        var expected = LogSoftmax([a, -a]);
        Assert.Equal(expected[1], ReferenceLm.TokenLogProbs(dir.Path, [0, 1])[0], Tol);
    }

    // ---------------------------------------------------------------- scalar helpers (independent of the reference)
    private static double[] Rms(double[] x, double[] w)
    {
        double ms = x.Select(v => v * v).Average();
        return x.Select((v, i) => w[i] * v / Math.Sqrt(ms + Eps)).ToArray();
    }

    private static double[] Ln(double[] x, double[] w, double[] b, double eps)
    {
        double mean = x.Average();
        double var = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => ((v - mean) / Math.Sqrt(var + eps) * w[i]) + b[i]).ToArray();
    }

    private static double[] Conv(double[] x, double[][] a, double[] b) =>
        Enumerable.Range(0, b.Length).Select(o => Enumerable.Range(0, x.Length).Sum(i => x[i] * a[i][o]) + b[o]).ToArray();

    private static double Silu(double x) => x / (1 + Math.Exp(-x));

    private static double GeluNewByFormula(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * Math.Pow(x, 3)))));

    private static double[] LogSoftmax(double[] z)
    {
        double lse = Math.Log(z.Sum(Math.Exp));
        return z.Select(v => v - lse).ToArray();
    }

    private sealed class Close(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tol;

        public int GetHashCode(double obj) => 0;
    }
}
