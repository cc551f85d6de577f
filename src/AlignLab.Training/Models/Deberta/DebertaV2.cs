using System.Text.Json.Nodes;
using AlignLab.Training.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Models.Deberta;

// DeBERTa-v2/v3 (He et al. 2021; DeBERTaV3, He et al. 2023) as Hugging Face's DebertaV2ForSequenceClassification, the
// architecture of reward models such as OpenAssistant/reward-model-deberta-v3-large-v2. Parameter names are HF's:
// deberta.embeddings.{word_embeddings, position_embeddings?, token_type_embeddings?, embed_proj?, LayerNorm},
// deberta.encoder.layer.N.{attention.self.{query,key,value}_proj, attention.self.pos_{key,query}_proj?,
// attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}}, deberta.encoder.rel_embeddings,
// deberta.encoder.LayerNorm (norm_rel_ebd layer_norm), pooler.dense, classifier. Post-norm layers; the attention is
// in DebertaV2Attention.cs. Shapes: B batch, T positions, E embedding size, C hidden, L labels.

internal static class DebertaActivation
{
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => F.gelu(x),                                                        // exact (erf) GELU
        "relu" => F.relu(x),
        _ => F.gelu(x, GELU.Approximate.tanh),                                      // gelu_new, gelu_pytorch_tanh
    };
}

/// <summary>DebertaV2Embeddings: word (+ absolute position) (+ token type) embeddings, projected to the hidden size
/// when embedding_size differs, LayerNorm, then zeroed at padding.</summary>
public sealed class DebertaV2Embeddings : nn.Module
{
    private readonly Embedding word_embeddings;
    private readonly Embedding? position_embeddings, token_type_embeddings;
    private readonly Linear? embed_proj;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public DebertaV2Embeddings(DebertaV2Config config) : base(nameof(DebertaV2Embeddings))
    {
        var E = config.EmbeddingSize;
        word_embeddings = nn.Embedding(config.vocab_size, E);
        if (config.position_biased_input) position_embeddings = nn.Embedding(config.max_position_embeddings, E);
        if (config.type_vocab_size > 0) token_type_embeddings = nn.Embedding(config.type_vocab_size, E);
        if (E != config.hidden_size) embed_proj = nn.Linear(E, config.hidden_size, hasBias: false);
        LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps);
        dropout = nn.Dropout(config.hidden_dropout_prob);
        RegisterComponents();
    }

    /// <param name="mask">(B, T), 1 for real tokens.</param>
    /// <param name="positionIds">(B, T) absolute positions (used only when position_biased_input).</param>
    public Tensor forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor mask, Tensor positionIds)
    {
        var x = word_embeddings.forward(inputIds);                                                 // (B, T, E)
        if (position_embeddings is not null) x = x + position_embeddings.forward(positionIds);
        if (token_type_embeddings is not null) x = x + token_type_embeddings.forward(tokenTypeIds ?? zeros_like(inputIds));
        if (embed_proj is not null) x = embed_proj.forward(x);                                     // (B, T, C)
        x = LayerNorm.forward(x) * mask.unsqueeze(2).to(x.dtype);
        return dropout.forward(x);
    }
}

/// <summary>DebertaV2Layer: disentangled attention, then intermediate (dense + activation) and output (dense,
/// residual, LayerNorm).</summary>
public sealed class DebertaV2Layer : nn.Module
{
    private readonly DebertaV2Attention attention;
    private readonly DebertaV2Intermediate intermediate;
    private readonly DebertaV2ResidualOutput output;

    public DebertaV2Layer(DebertaV2Config config) : base(nameof(DebertaV2Layer))
    {
        attention = new DebertaV2Attention(config);
        intermediate = new DebertaV2Intermediate(config);
        output = new DebertaV2ResidualOutput(config.intermediate_size, config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor keyMask, Tensor relativePos, Tensor relEmbeddings)
    {
        var a = attention.forward(x, keyMask, relativePos, relEmbeddings);                        // (B, T, C)
        return output.forward(intermediate.forward(a), a);
    }
}

public sealed class DebertaV2Intermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string _activation;

    public DebertaV2Intermediate(DebertaV2Config config) : base(nameof(DebertaV2Intermediate))
    {
        dense = nn.Linear(config.hidden_size, config.intermediate_size);
        _activation = config.hidden_act;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => DebertaActivation.Apply(_activation, dense.forward(x));   // (B, T, 4C)
}

/// <summary>DebertaV2Encoder: the layers and the relative-position embeddings they share (layer-normed once per pass
/// when norm_rel_ebd has layer_norm).</summary>
public sealed class DebertaV2Encoder : nn.Module
{
    private readonly ModuleList<DebertaV2Layer> layer;
    private readonly Embedding rel_embeddings;
    private readonly LayerNorm? LayerNorm;
    private readonly DebertaV2Config _config;

    public DebertaV2Encoder(DebertaV2Config config) : base(nameof(DebertaV2Encoder))
    {
        _config = config;
        layer = nn.ModuleList(Enumerable.Range(0, config.num_hidden_layers).Select(_ => new DebertaV2Layer(config)).ToArray());
        rel_embeddings = nn.Embedding(2 * config.AttentionSpan, config.hidden_size);
        if (config.NormaliseRelativeEmbeddings) LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor mask)
    {
        var keyMask = mask.to(ScalarType.Bool).view(mask.shape[0], 1, 1, mask.shape[1]);         // (B, 1, 1, T)
        var relativePos = DebertaRelativePosition.Build(x.shape[1], _config, x.device);           // (T, T)
        Tensor rel = rel_embeddings.weight!;                                                        // (2S, C)
        if (LayerNorm is not null) rel = LayerNorm.forward(rel);
        foreach (var block in layer) x = block.forward(x, keyMask, relativePos, rel);
        return x;
    }
}

public sealed class DebertaV2Model : nn.Module
{
    private readonly DebertaV2Embeddings embeddings;
    private readonly DebertaV2Encoder encoder;

    public DebertaV2Model(DebertaV2Config config) : base(nameof(DebertaV2Model))
    {
        embeddings = new DebertaV2Embeddings(config);
        encoder = new DebertaV2Encoder(config);
        RegisterComponents();
    }

    public Tensor forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor mask, Tensor positionIds) =>
        encoder.forward(embeddings.forward(inputIds, tokenTypeIds, mask, positionIds), mask);    // (B, T, C)
}

/// <summary>ContextPooler: dense + pooler_hidden_act on the first token's hidden state.</summary>
public sealed class ContextPooler : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly Dropout dropout;
    private readonly string _activation;

    public ContextPooler(DebertaV2Config config) : base(nameof(ContextPooler))
    {
        dense = nn.Linear(config.hidden_size, config.hidden_size);
        dropout = nn.Dropout(config.pooler_dropout);
        _activation = config.pooler_hidden_act;
        RegisterComponents();
    }

    public override Tensor forward(Tensor first) => DebertaActivation.Apply(_activation, dense.forward(dropout.forward(first)));   // (B, C)
}

/// <summary>DebertaV2ForSequenceClassification: the encoder, the context pooler and a linear classifier; with one label
/// its logit is a reward model's score.</summary>
public sealed class DebertaV2ForSequenceClassification : nn.Module
{
    private readonly DebertaV2Model deberta;
    private readonly ContextPooler pooler;
    private readonly Linear classifier;
    private readonly Dropout dropout;

    public DebertaV2ForSequenceClassification(DebertaV2Config config) : base(nameof(DebertaV2ForSequenceClassification))
    {
        config.Validate();
        Config = config;
        deberta = new DebertaV2Model(config);
        pooler = new ContextPooler(config);
        classifier = nn.Linear(config.hidden_size, config.num_labels);
        dropout = nn.Dropout(config.cls_dropout ?? config.hidden_dropout_prob);
        RegisterComponents();
        using (no_grad())
            foreach (var (name, p) in named_parameters())
                if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) p.fill_(1);
                else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
                else p.normal_(0, config.initializer_range);                                    // DebertaV2PreTrainedModel._init_weights
    }

    public DebertaV2Config Config { get; }

    /// <summary>Logits (B, num_labels) of <paramref name="inputIds"/> (B, T).</summary>
    /// <param name="attentionMask">(B, T), 1 for real tokens and 0 for padding; null: all real.</param>
    /// <param name="tokenTypeIds">(B, T) segment ids (only read when type_vocab_size &gt; 0); null: all 0.</param>
    /// <remarks>Pooling reads the first real token and absolute positions count real tokens, so a left-padded row scores
    /// as its unpadded sequence; with right padding (the DeBERTa tokenizers' side) this is exactly transformers' pass.</remarks>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        if (Config.position_biased_input && T > Config.max_position_embeddings)
            throw new ArgumentException($"sequence of {T} tokens exceeds the model's {Config.max_position_embeddings} absolute positions");
        var mask = attentionMask?.to(ScalarType.Int64) ?? ones(B, T, dtype: ScalarType.Int64, device: inputIds.device);
        var positionIds = mask.cumsum(1).sub(1).clamp_min(0);                                      // (B, T)
        var hidden = deberta.forward(inputIds, tokenTypeIds, mask, positionIds);                    // (B, T, C)
        var first = mask.argmax(1);                                                                 // (B): first real token
        var context = hidden.gather(1, first.view(B, 1, 1).expand(B, 1, hidden.shape[2])).squeeze(1);   // (B, C)
        return classifier.forward(dropout.forward(pooler.forward(context)));                        // (B, L)
    }

    // transformers drops these on load (_keys_to_ignore_on_load_unexpected, non-persistent buffers of older checkpoints).
    public static bool IsIgnorableCheckpointTensor(string name) =>
        name == "deberta.embeddings.position_ids" || name.EndsWith("position_embeddings.weight", StringComparison.Ordinal);

    /// <summary>Copies every parameter from <paramref name="state"/> (any float dtype), by Hugging Face name; a missing
    /// tensor, a shape mismatch or a tensor the model has no place for fails and names the tensor.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> state)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in state_dict())
        {
            if (!state.TryGetValue(name, out var value)) throw new WeightsFormatException($"checkpoint lacks tensor '{name}'");
            if (!value.shape.SequenceEqual(parameter.shape))
                throw new WeightsFormatException(
                    $"tensor '{name}': checkpoint has shape [{string.Join(", ", value.shape)}], the model expects [{string.Join(", ", parameter.shape)}]");
            parameter.copy_(value);
        }
        var expected = state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(n => !expected.Contains(n) && !IsIgnorableCheckpointTensor(n)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0) throw new WeightsFormatException($"checkpoint tensors the model has no place for: {string.Join(", ", unexpected.Take(10))}");
    }

    /// <summary>Builds the model a Hugging Face folder describes (config.json + safetensors) on the CPU, in float32 and in
    /// eval mode (DeBERTa's dropout is 0.1: a scorer left in training mode would give noisy scores).</summary>
    public static DebertaV2ForSequenceClassification Load(string folder)
    {
        var path = Path.Combine(folder, ModelFolder.ConfigFile);
        var config = DebertaV2Config.FromJson(JsonNode.Parse(File.ReadAllText(path))!.AsObject());
        var model = new DebertaV2ForSequenceClassification(config);
        try
        {
            ModelFolder.LoadWeights(model, SafetensorsCheckpoint.Open(folder), _ => [], IsIgnorableCheckpointTensor);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }
}
