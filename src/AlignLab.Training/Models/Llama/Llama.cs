using AlignLab.Training.Adapters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Models.Llama;

// Llama (Touvron et al. 2023) with Hugging Face's LlamaForCausalLM names: model.embed_tokens,
// model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.{gate,up,down}_proj},
// model.norm, lm_head. Pre-norm RMSNorm, rotary position embeddings (HF's rotate-half layout), SwiGLU MLP,
// grouped-query attention; Qwen3's q_norm/k_norm (self_attn.{q,k}_norm) when the config is qwen3. Shapes: B batch, T new positions, P cached + new, C hidden, H heads, K kv heads, D head dim.

public sealed class LlamaRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public LlamaRmsNorm(long size, double eps) : base(nameof(LlamaRmsNorm))
    {
        weight = new Parameter(ones(size));
        _eps = eps;
        RegisterComponents();
    }

    // Normalised in fp32 whatever the weights' dtype, as transformers does.
    public override Tensor forward(Tensor x)
    {
        var h = x.to(ScalarType.Float32);
        h = h * rsqrt(h.pow(2).mean([-1], keepdim: true) + _eps);
        return weight * h.to(x.dtype);
    }
}

/// <summary>Rotary embeddings: cos/sin of position × inverse frequency, applied to q and k by rotate-half.</summary>
public static class Rope
{
    /// <param name="inverseFrequencies">(D/2) frequencies, scaled as the config says (<see cref="RopeScaling"/>).</param>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positionIds, double[] inverseFrequencies, ScalarType dtype)
    {
        // Angles in float64: at positions in the thousands, float32 products lose digits. transformers computes them in
        // float32, so long-context logits here are a little closer to exact arithmetic than its own (within 1e-4 of both).
        var inverse = tensor(inverseFrequencies, dtype: ScalarType.Float64, device: positionIds.device);      // (D/2)
        var freqs = positionIds.to(ScalarType.Float64).unsqueeze(-1) * inverse;                               // (B, T, D/2)
        var emb = cat([freqs, freqs], -1);                                                                     // (B, T, D)
        return (emb.cos().unsqueeze(1).to(dtype), emb.sin().unsqueeze(1).to(dtype));                           // (B, 1, T, D)
    }

    public static (Tensor Cos, Tensor Sin) Angles(Tensor positionIds, long headDim, double theta, ScalarType dtype) =>
        Angles(positionIds, RopeScaling.InverseFrequencies((int)headDim, theta, null), dtype);

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)                                    // x (B, heads, T, D)
    {
        var half = x.shape[^1] / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }
}

public sealed class LlamaAttention : nn.Module
{
    private readonly AdaptableLinear q_proj, k_proj, v_proj, o_proj;
    private readonly LlamaRmsNorm? q_norm, k_norm;
    private readonly int _heads, _kvHeads, _headDim, _layer;

    public LlamaAttention(LlamaConfig config, int layer) : base(nameof(LlamaAttention))
    {
        (_heads, _kvHeads, _headDim, _layer) = (config.num_attention_heads, config.KeyValueHeads, config.HeadDim, layer);
        var std = config.initializer_range;
        q_proj = new AdaptableLinear(config.hidden_size, _heads * _headDim, config.QkvBias, std);
        k_proj = new AdaptableLinear(config.hidden_size, _kvHeads * _headDim, config.QkvBias, std);
        v_proj = new AdaptableLinear(config.hidden_size, _kvHeads * _headDim, config.QkvBias, std);
        o_proj = new AdaptableLinear(_heads * _headDim, config.hidden_size, config.attention_bias, std);
        if (config.QkNorm)
        {
            q_norm = new LlamaRmsNorm(_headDim, config.rms_norm_eps);
            k_norm = new LlamaRmsNorm(_headDim, config.rms_norm_eps);
        }
        RegisterComponents();
    }

    /// <param name="x">(B, T, C), or the real tokens' (N, C) with <paramref name="unpadded"/>: the projections run on those,
    /// attention in the padded layout.</param>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        Tensor Padded(Tensor projected) => unpadded is null ? projected : unpadded.Scatter(projected);
        var (queries, keys, values) = (Padded(q_proj.forward(x)), Padded(k_proj.forward(x)), Padded(v_proj.forward(x)));
        var (B, T) = (queries.shape[0], queries.shape[1]);
        var q = queries.view(B, T, _heads, _headDim);                                               // (B, T, H, D)
        var k = keys.view(B, T, _kvHeads, _headDim);                                                // (B, T, K, D)
        if (q_norm is not null) (q, k) = (q_norm.forward(q), k_norm!.forward(k));                   // Qwen3: per head, before RoPE
        (q, k) = (q.transpose(1, 2), k.transpose(1, 2));                                            // (B, H, T, D), (B, K, T, D)
        var v = values.view(B, T, _kvHeads, _headDim).transpose(1, 2);                              // (B, K, T, D)
        (q, k) = (Rope.Apply(q, cos, sin), Rope.Apply(k, cos, sin));
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);                                 // (B, K, P, D)
        if (_kvHeads != _heads)                                                                     // grouped-query: share each kv head
        {
            k = k.repeat_interleave(_heads / _kvHeads, dim: 1);                                     // (B, H, P, D)
            v = v.repeat_interleave(_heads / _kvHeads, dim: 1);
        }
        var y = bias is null
            ? F.scaled_dot_product_attention(q, k, v, is_casual: true)
            : F.scaled_dot_product_attention(q, k, v, bias);                                        // (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, _heads * _headDim);
        return o_proj.forward(unpadded is null ? y : unpadded.Gather(y));
    }
}

public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear gate_proj, up_proj, down_proj;

    public LlamaMlp(LlamaConfig config) : base(nameof(LlamaMlp))
    {
        var std = config.initializer_range;
        gate_proj = new AdaptableLinear(config.hidden_size, config.intermediate_size, config.mlp_bias, std);
        up_proj = new AdaptableLinear(config.hidden_size, config.intermediate_size, config.mlp_bias, std);
        down_proj = new AdaptableLinear(config.intermediate_size, config.hidden_size, config.mlp_bias, std);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => down_proj.forward(F.silu(gate_proj.forward(x)) * up_proj.forward(x)); // SwiGLU
}

public sealed class LlamaDecoderLayer : nn.Module
{
    private readonly LlamaRmsNorm input_layernorm, post_attention_layernorm;
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;

    public LlamaDecoderLayer(LlamaConfig config, int layer) : base(nameof(LlamaDecoderLayer))
    {
        input_layernorm = new LlamaRmsNorm(config.hidden_size, config.rms_norm_eps);
        self_attn = new LlamaAttention(config, layer);
        post_attention_layernorm = new LlamaRmsNorm(config.hidden_size, config.rms_norm_eps);
        mlp = new LlamaMlp(config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        x = x + self_attn.forward(input_layernorm.forward(x), cos, sin, bias, cache, unpadded);
        return x + mlp.forward(post_attention_layernorm.forward(x));
    }
}

public sealed class LlamaModel : nn.Module
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly LlamaRmsNorm norm;

    public LlamaModel(LlamaConfig config) : base(nameof(LlamaModel))
    {
        embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size);
        using (no_grad()) embed_tokens.weight!.normal_(0, config.initializer_range);
        layers = nn.ModuleList(Enumerable.Range(0, config.num_hidden_layers).Select(i => new LlamaDecoderLayer(config, i)).ToArray());
        norm = new LlamaRmsNorm(config.hidden_size, config.rms_norm_eps);
        RegisterComponents();
    }

    public Tensor TokenEmbedding => embed_tokens.weight!;

    /// <summary>Whether training passes checkpoint each layer (<see cref="LayerCheckpoint"/>).</summary>
    public bool CheckpointLayers { get; set; }

    /// <summary>Told of an error of a checkpointed layer's second run (the model keeps it for its caller).</summary>
    public Action<Exception> CheckpointFailed { get; set; } = _ => { };

    /// <param name="unpadded">The real tokens of a right-padded batch: every layer but attention runs on those alone.</param>
    public Tensor forward(Tensor inputIds, Tensor cos, Tensor sin, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        var x = embed_tokens.forward(unpadded is null ? inputIds : unpadded.Gather(inputIds));       // (B, T, C) or (N, C)
        var checkpoint = CheckpointLayers && cache is null && is_grad_enabled();
        foreach (var layer in layers)
            x = checkpoint
                ? LayerCheckpoint.Run(y => layer.forward(y, cos, sin, bias, null, unpadded), x, CheckpointFailed)
                : layer.forward(x, cos, sin, bias, cache, unpadded);
        x = norm.forward(x);
        return unpadded is null ? x : unpadded.Scatter(x);
    }
}

/// <summary>LlamaForCausalLM (and Mistral/Qwen2/Qwen3 configs): the decoder and an output head, tied to the embedding
/// when the config says so.</summary>
public sealed class LlamaForCausalLM : CausalLM
{
    private readonly LlamaModel model;
    private readonly Linear? lm_head;
    private readonly LlamaConfig _config;
    private readonly double[] _inverseFrequencies;

    public LlamaForCausalLM(LlamaConfig config) : base(nameof(LlamaForCausalLM))
    {
        _config = config;
        _inverseFrequencies = RopeScaling.InverseFrequencies(config.HeadDim, config.rope_theta, config.RopeScaling);
        model = new LlamaModel(config) { CheckpointFailed = ReportCheckpointError };
        if (!config.tie_word_embeddings)
        {
            lm_head = nn.Linear(config.hidden_size, config.vocab_size, hasBias: false);
            using (no_grad()) lm_head.weight!.normal_(0, config.initializer_range);
        }
        RegisterComponents();
    }

    public override ModelConfig Config => _config;

    public override bool ActivationCheckpointing { get => model.CheckpointLayers; set => model.CheckpointLayers = value; }

    public override Tensor Hidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null, Unpadding? unpadded = null)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        unpadded = ForPass(unpadded, B, T, cache);
        var past = cache?.Length ?? 0;
        positionIds ??= PositionIds(attentionMask, B, T, past, inputIds.device);
        var dtype = model.TokenEmbedding.dtype;
        var (cos, sin) = Rope.Angles(positionIds, _inverseFrequencies, dtype);
        var window = _config.SlidingWindow is { } w && past + T > w ? w : (long?)null;
        var bias = attentionMask is null && past == 0 && window is null ? null : AttentionBias(attentionMask, B, T, past, dtype, inputIds.device, window);
        return model.forward(inputIds, cos, sin, bias, cache, unpadded);
    }

    public override Tensor Logits(Tensor hidden) => lm_head is null ? F.linear(hidden, model.TokenEmbedding) : lm_head.forward(hidden);

    // Tied checkpoints may still carry lm_head.weight; rotary caches of older checkpoints are recomputed here.
    public override bool IsIgnorableCheckpointTensor(string name) =>
        (lm_head is null && name == "lm_head.weight") || name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal);
}
