using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Retrieval;

// BERT (Devlin et al. 2019) as an encoder, with Hugging Face's BertModel parameter names, so HF-layout safetensors load
// without renaming: embeddings.{word_embeddings, position_embeddings, token_type_embeddings, LayerNorm},
// encoder.layer.N.{attention.self.{query, key, value}, attention.output.{dense, LayerNorm}, intermediate.dense,
// output.{dense, LayerNorm}}. Post-layer-norm residual blocks, bidirectional attention with a padding mask.
// Shapes: B batch, T tokens, C hidden size, H heads, D = C / H.

public sealed class BertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings, position_embeddings, token_type_embeddings;
    private readonly LayerNorm LayerNorm;

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size);
        position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size);
        token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size);
        LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps);
        RegisterComponents();
    }

    public Tensor forward(Tensor inputIds)
    {
        var positions = arange(inputIds.shape[1], device: inputIds.device).unsqueeze(0);          // (1, T)
        var types = zeros_like(inputIds);                                                            // one segment
        return LayerNorm.forward(word_embeddings.forward(inputIds) + position_embeddings.forward(positions) + token_type_embeddings.forward(types));
    }
}

public sealed class BertSelfAttention : nn.Module
{
    private readonly Linear query, key, value;
    private readonly int _heads;

    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(config.hidden_size, config.hidden_size);
        key = nn.Linear(config.hidden_size, config.hidden_size);
        value = nn.Linear(config.hidden_size, config.hidden_size);
        _heads = config.num_attention_heads;
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor additiveMask)
    {
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor Heads(Tensor t) => t.view(B, T, _heads, C / _heads).transpose(1, 2);                // (B, H, T, D)
        var y = F.scaled_dot_product_attention(Heads(query.forward(x)), Heads(key.forward(x)), Heads(value.forward(x)), additiveMask);
        return y.transpose(1, 2).contiguous().view(B, T, C);
    }
}

/// <summary>A residual block's output: dense, then LayerNorm over (dense + residual).</summary>
public sealed class BertResidualOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;

    public BertResidualOutput(long inputs, BertConfig config) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inputs, config.hidden_size);
        LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden, Tensor residual) => LayerNorm.forward(dense.forward(hidden) + residual);
}

public sealed class BertAttention : nn.Module
{
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;

    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertResidualOutput(config.hidden_size, config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor additiveMask) => output.forward(self.forward(x, additiveMask), x);
}

public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string _activation;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.hidden_size, config.intermediate_size);
        _activation = config.hidden_act;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _activation == "relu" ? F.relu(dense.forward(x)) : F.gelu(dense.forward(x));
}

public sealed class BertLayer : nn.Module
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertResidualOutput(config.intermediate_size, config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor additiveMask)
    {
        var attended = attention.forward(x, additiveMask);
        return output.forward(intermediate.forward(attended), attended);
    }
}

public sealed class BertLayers : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    public BertLayers(BertConfig config) : base(nameof(BertLayers))
    {
        layer = nn.ModuleList([.. Enumerable.Range(0, config.num_hidden_layers).Select(_ => new BertLayer(config))]);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor additiveMask)
    {
        foreach (var block in layer) x = block.forward(x, additiveMask);
        return x;
    }
}

/// <summary>BERT's encoder: the last hidden states (B, T, C) of token ids under an attention mask (1 = token, 0 = pad).</summary>
public sealed class BertEncoder : nn.Module
{
    private readonly BertEmbeddings embeddings;
    private readonly BertLayers encoder;

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertLayers(config);
        RegisterComponents();
    }

    public BertConfig Config { get; }

    public Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        var x = embeddings.forward(inputIds);
        // Padding keys get the dtype's lowest value, as transformers does; (B, 1, 1, T) broadcasts over heads and queries.
        var additive = (1 - attentionMask.to(x.dtype)).mul(x.dtype == ScalarType.Float32 ? float.MinValue : -65504f).view(x.shape[0], 1, 1, x.shape[1]);
        return encoder.forward(x, additive);
    }
}
