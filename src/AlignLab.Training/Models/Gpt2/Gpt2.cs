using AlignLab.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Models.Gpt2;

// GPT-2 (Radford et al. 2019) with Hugging Face's GPT2LMHeadModel parameter names and shapes, so that
// safetensors load and save without renaming: transformer.{wte,wpe,h.N.{ln_1,attn.c_attn,attn.c_proj,ln_2,
// mlp.c_fc,mlp.c_proj},ln_f}. Linear layers are Conv1D as in the original (weight stored (in, out)), and the
// output head is tied to wte. Shapes: B batch, T new positions, P cached + new positions, C n_embd,
// H heads, D = C / H.

/// <summary>GPT-2's Conv1D: y = x W + b with W stored (in, out), the transpose of nn.Linear. It can carry a LoRA
/// adapter, which adds its low-rank update while enabled and folds into W on merge.</summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>, Adapters.IAdaptableLinear
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private Adapters.LoraAdapter? lora;

    public Conv1D(long inputs, long outputs, double std) : base(nameof(Conv1D))
    {
        weight = new Parameter(empty(inputs, outputs).normal_(0, std));
        bias = new Parameter(zeros(outputs));
        RegisterComponents();
    }

    public Adapters.LoraAdapter? Lora => lora;

    public override Tensor forward(Tensor x)
    {
        var y = addmm(bias, x.reshape(-1, x.shape[^1]), weight, 1, 1).view([.. x.shape[..^1], weight.shape[1]]);
        return lora is { Enabled: true } ? y + lora.forward(x) : y;
    }

    public void AttachLora(int rank, double alpha, double dropout)
    {
        if (lora is not null) throw new InvalidOperationException("this layer already has an adapter");
        lora = new Adapters.LoraAdapter(weight.shape[0], weight.shape[1], rank, alpha, dropout).to(weight.device).to(weight.dtype);
        register_module("lora", lora);
    }

    public void MergeLora()
    {
        if (lora is null) return;
        using (no_grad()) weight.add_(lora.DeltaWeight().t());        // W is (in, out)
        lora.Enabled = false;
    }
}

/// <summary>GPT-2's dropouts (embeddings, attention output, MLP output), each a probability from the config that
/// <see cref="Gpt2LMHeadModel.DisableDropout"/> can set to 0. Outside training, or at 0, no operation at all (a decode
/// step would otherwise make two aliasing calls per layer).</summary>
internal static class Gpt2Dropout
{
    public static Tensor Apply(Tensor x, double p, bool training) => training && p > 0 ? F.dropout(x, p, training: true) : x;
}

public sealed class Gpt2Attention : nn.Module
{
    private readonly Conv1D c_attn, c_proj;
    private readonly int _heads, _layer;
    private double _attentionDropout, _residualDropout;

    public Gpt2Attention(Gpt2Config config, int layer) : base(nameof(Gpt2Attention))
    {
        _heads = config.n_head;
        _layer = layer;
        (_attentionDropout, _residualDropout) = (config.attn_pdrop, config.resid_pdrop);
        c_attn = new Conv1D(config.n_embd, 3 * config.n_embd, config.initializer_range);
        // GPT-2's scaled init of residual projections: std / sqrt(2 · n_layer).
        c_proj = new Conv1D(config.n_embd, config.n_embd, config.initializer_range / Math.Sqrt(2 * config.n_layer));
        RegisterComponents();
    }

    public void DisableDropout() => (_attentionDropout, _residualDropout) = (0, 0);

    /// <param name="x">(B, T, C), or the real tokens' (N, C) with <paramref name="unpadded"/>.</param>
    public Tensor forward(Tensor x, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        var projected = c_attn.forward(x);
        if (unpadded is not null) projected = unpadded.Scatter(projected);            // attention in the padded layout
        var (B, T, C) = (projected.shape[0], projected.shape[1], projected.shape[2] / 3);
        var qkv = projected.split(C, dim: 2);                                          // 3 × (B, T, C)
        Tensor Heads(Tensor t) => t.view(B, T, _heads, C / _heads).transpose(1, 2);    // (B, H, T, D)
        var (q, k, v) = (Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2]));
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);                    // (B, H, P, D)
        var dropout = training ? _attentionDropout : 0.0;
        var y = bias is null
            ? F.scaled_dot_product_attention(q, k, v, p: dropout, is_casual: true)
            : F.scaled_dot_product_attention(q, k, v, bias, dropout);                  // (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, C);
        if (unpadded is not null) y = unpadded.Gather(y);                              // (N, C)
        return Gpt2Dropout.Apply(c_proj.forward(y), _residualDropout, training);
    }
}

public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc, c_proj;
    private readonly string _activation;
    private double _dropout;

    public Gpt2Mlp(Gpt2Config config) : base(nameof(Gpt2Mlp))
    {
        c_fc = new Conv1D(config.n_embd, config.InnerSize, config.initializer_range);
        c_proj = new Conv1D(config.InnerSize, config.n_embd, config.initializer_range / Math.Sqrt(2 * config.n_layer));
        _dropout = config.resid_pdrop;
        _activation = config.activation_function;
        RegisterComponents();
    }

    public void DisableDropout() => _dropout = 0;

    public override Tensor forward(Tensor x)
    {
        var h = c_fc.forward(x);                                                      // (B, T, 4C)
        h = _activation switch
        {
            "relu" => F.relu(h),
            "gelu" => F.gelu(h),
            _ => F.gelu(h, GELU.Approximate.tanh),                                     // gelu_new
        };
        return Gpt2Dropout.Apply(c_proj.forward(h), _dropout, training);
    }
}

public sealed class Gpt2Block : nn.Module
{
    private readonly LayerNorm ln_1, ln_2;
    private readonly Gpt2Attention attn;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config, int layer) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.n_embd, config.layer_norm_epsilon);
        attn = new Gpt2Attention(config, layer);
        ln_2 = nn.LayerNorm(config.n_embd, config.layer_norm_epsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public void DisableDropout()
    {
        attn.DisableDropout();
        mlp.DisableDropout();
    }

    public Tensor forward(Tensor x, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        x = x + attn.forward(ln_1.forward(x), bias, cache, unpadded);
        return x + mlp.forward(ln_2.forward(x));
    }
}

public sealed class Gpt2Transformer : nn.Module
{
    private readonly Embedding wte, wpe;
    private double _embeddingDropout;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Transformer(Gpt2Config config) : base(nameof(Gpt2Transformer))
    {
        wte = nn.Embedding(config.vocab_size, config.n_embd);
        wpe = nn.Embedding(config.n_positions, config.n_embd);
        using (no_grad())
        {
            wte.weight!.normal_(0, config.initializer_range);
            wpe.weight!.normal_(0, config.initializer_range);
        }
        _embeddingDropout = config.embd_pdrop;
        h = nn.ModuleList(Enumerable.Range(0, config.n_layer).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.n_embd, config.layer_norm_epsilon);
        RegisterComponents();
    }

    public Tensor TokenEmbedding => wte.weight!;

    public void DisableDropout()
    {
        _embeddingDropout = 0;
        foreach (var block in h) block.DisableDropout();
    }

    /// <summary>Whether training passes checkpoint each block (<see cref="LayerCheckpoint"/>).</summary>
    public bool CheckpointLayers { get; set; }

    /// <summary>Told of an error of a checkpointed block's second run (the model keeps it for its caller).</summary>
    public Action<Exception> CheckpointFailed { get; set; } = _ => { };

    /// <param name="unpadded">The real tokens of a right-padded batch: every layer but attention runs on those alone.</param>
    public Tensor forward(Tensor inputIds, Tensor positionIds, Tensor? bias, KvCache? cache, Unpadding? unpadded = null)
    {
        if (unpadded is not null) (inputIds, positionIds) = (unpadded.Gather(inputIds), unpadded.Gather(positionIds));   // (N)
        var x = Gpt2Dropout.Apply(wte.forward(inputIds) + wpe.forward(positionIds), _embeddingDropout, training);   // (B, T, C) or (N, C)
        var checkpoint = CheckpointLayers && cache is null && is_grad_enabled();
        foreach (var block in h)
            x = checkpoint ? LayerCheckpoint.Run(y => block.forward(y, bias, null, unpadded), x, CheckpointFailed) : block.forward(x, bias, cache, unpadded);
        x = ln_f.forward(x);
        return unpadded is null ? x : unpadded.Scatter(x);
    }
}

/// <summary>GPT2LMHeadModel: the transformer and an output head tied to the token embedding.</summary>
public sealed class Gpt2LMHeadModel : CausalLM
{
    private readonly Gpt2Transformer transformer;
    private readonly Gpt2Config _config;

    public Gpt2LMHeadModel(Gpt2Config config) : base(nameof(Gpt2LMHeadModel))
    {
        _config = config;
        transformer = new Gpt2Transformer(config) { CheckpointFailed = ReportCheckpointError };
        RegisterComponents();
    }

    public override ModelConfig Config => _config;

    public override bool ActivationCheckpointing { get => transformer.CheckpointLayers; set => transformer.CheckpointLayers = value; }

    private bool _dropoutDisabled;

    public override void DisableDropout()
    {
        transformer.DisableDropout();
        _dropoutDisabled = true;
    }

    protected override bool OwnDropout =>
        transformer.training && !_dropoutDisabled && (_config.attn_pdrop > 0 || _config.resid_pdrop > 0 || _config.embd_pdrop > 0);

    public override Tensor Hidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null, Unpadding? unpadded = null)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        unpadded = ForPass(unpadded, B, T, cache);
        var past = cache?.Length ?? 0;
        if (past + T > _config.n_positions)
            throw new ArgumentException($"sequence of {past + T} tokens exceeds the model's {_config.n_positions} positions");
        positionIds ??= PositionIds(attentionMask, B, T, past, inputIds.device);
        // Without padding or cache, SDPA's built-in causal mask is the fast path.
        var bias = attentionMask is null && past == 0
            ? null
            : AttentionBias(attentionMask, B, T, past, transformer.TokenEmbedding.dtype, inputIds.device);
        return transformer.forward(inputIds, positionIds, bias, cache, unpadded);
    }

    public override Tensor Logits(Tensor hidden) => F.linear(hidden, transformer.TokenEmbedding);   // (B, T, vocab)

    // Hugging Face names: GPT2Model checkpoints lack the "transformer." prefix; lm_head.weight is tied to wte;
    // older checkpoints carry the causal-mask buffers attn.bias and attn.masked_bias.
    private const string Prefix = "transformer.";

    public override IEnumerable<string> CheckpointAliases(string parameterName) =>
        parameterName.StartsWith(Prefix, StringComparison.Ordinal) ? [parameterName[Prefix.Length..]] : [];

    public override bool IsIgnorableCheckpointTensor(string name) =>
        name == "lm_head.weight" || name.EndsWith(".attn.bias", StringComparison.Ordinal) || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal);
}
