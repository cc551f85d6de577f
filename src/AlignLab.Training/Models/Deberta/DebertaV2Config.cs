using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Models.Deberta;

/// <summary>A DeBERTa-v2/v3 config.json (Hugging Face names; defaults of transformers' DebertaV2Config and of the
/// getattr defaults its modules use: a config made in code for v3 sets relative_attention, position_buckets, norm_rel_ebd,
/// share_att_key, pos_att_type and position_biased_input). DeBERTa-v2's convolution layer (conv_kernel_size &gt; 0) and
/// models without relative attention are refused.</summary>
public sealed record DebertaV2Config : ModelConfig
{
    public const string ModelTypeName = Core.Models.ModelDetails.DebertaV2ModelType;

    public override string ModelType => ModelTypeName;
    public int vocab_size { get; init; } = 128100;
    public int hidden_size { get; init; } = 1536;
    public int num_hidden_layers { get; init; } = 24;
    public int num_attention_heads { get; init; } = 24;
    public int intermediate_size { get; init; } = 6144;
    public string hidden_act { get; init; } = "gelu";
    public double hidden_dropout_prob { get; init; } = 0.1;
    public double attention_probs_dropout_prob { get; init; } = 0.1;
    public int max_position_embeddings { get; init; } = 512;
    public int type_vocab_size { get; init; }
    public double initializer_range { get; init; } = 0.02;
    public double layer_norm_eps { get; init; } = 1e-7;
    public bool relative_attention { get; init; }
    public int max_relative_positions { get; init; } = -1;
    public int position_buckets { get; init; } = -1;
    public string norm_rel_ebd { get; init; } = "none";
    public bool share_att_key { get; init; }
    public bool position_biased_input { get; init; } = true;
    public string[] pos_att_type { get; init; } = [];
    public int? embedding_size { get; init; }
    public int? pooler_hidden_size { get; init; }
    public string pooler_hidden_act { get; init; } = "gelu";
    public double pooler_dropout { get; init; }
    public double? cls_dropout { get; init; }
    public int num_labels { get; init; } = 2;
    public int? attention_head_size { get; init; }
    public int conv_kernel_size { get; init; }
    public int? pad_token_id { get; init; }
    public int? bos_token_id { get; init; }
    public int? eos_token_id { get; init; }

    public override int VocabSize => vocab_size;
    public override int HiddenSize => hidden_size;
    public override int Layers => num_hidden_layers;
    public override int MaxPositions => max_position_embeddings;
    public override int? EosTokenId => eos_token_id;
    public override int? BosTokenId => bos_token_id;

    public int HeadDim => hidden_size / num_attention_heads;
    public int EmbeddingSize => embedding_size ?? hidden_size;
    public bool ContentToPosition => pos_att_type.Contains("c2p");
    public bool PositionToContent => pos_att_type.Contains("p2c");
    public bool NormaliseRelativeEmbeddings => NormRelEbdParts(norm_rel_ebd).Contains("layer_norm");

    /// <summary>The largest relative distance: max_relative_positions, or max_position_embeddings when below 1.</summary>
    public int MaxRelativePositions => max_relative_positions < 1 ? max_position_embeddings : max_relative_positions;

    /// <summary>att_span: relative embeddings run over [-span, span); with log buckets span is position_buckets.</summary>
    public int AttentionSpan => position_buckets > 0 ? position_buckets : MaxRelativePositions;

    /// <summary>Scores are divided by sqrt(head_dim · (1 + number of c2p/p2c terms)) (He et al. 2021, §3.1: 1/sqrt(3d) with both).</summary>
    public int ScaleFactor => 1 + (ContentToPosition ? 1 : 0) + (PositionToContent ? 1 : 0);

    internal static readonly string[] Activations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"];

    public static DebertaV2Config FromJson(JsonObject json)
    {
        ConfigFieldCheck.Check(json);
        if (json["model_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() != ModelTypeName)
            throw new UnsupportedConfigException("model_type", $"model_type '{t.GetValue<string>()}' is not {ModelTypeName}");
        var fields = json.DeepClone().AsObject();
        fields.Remove("pos_att_type");                                   // a list, or "p2c|c2p" in older configs
        if (!json.ContainsKey("num_labels") && json["id2label"] is JsonObject labels) fields["num_labels"] = labels.Count;
        var config = JsonSerializer.Deserialize<DebertaV2Config>(fields.ToJsonString())! with
        {
            pos_att_type = PositionAttentionTypes(json["pos_att_type"]),
            Source = json.DeepClone().AsObject(),
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="UnsupportedConfigException"/> naming the first field this implementation cannot honour.</summary>
    public void Validate()
    {
        if (conv_kernel_size > 0)
            throw new UnsupportedConfigException("conv_kernel_size", $"conv_kernel_size = {conv_kernel_size} (DeBERTa-v2's convolution layer) is not implemented");
        if (!relative_attention)
            throw new UnsupportedConfigException("relative_attention", "relative_attention = false is not implemented");
        if (pos_att_type.FirstOrDefault(p => p is not ("c2p" or "p2c")) is { } type)
            throw new UnsupportedConfigException("pos_att_type", $"pos_att_type '{type}' is not implemented (c2p and p2c are)");
        if (NormRelEbdParts(norm_rel_ebd).FirstOrDefault(p => p is not ("none" or "layer_norm")) is { } norm)
            throw new UnsupportedConfigException("norm_rel_ebd", $"norm_rel_ebd '{norm}' is not implemented (none and layer_norm are)");
        foreach (var (field, act) in new[] { ("hidden_act", hidden_act), ("pooler_hidden_act", pooler_hidden_act) })
            if (!Activations.Contains(act))
                throw new UnsupportedConfigException(field, $"{field} '{act}' is not supported ({string.Join(", ", Activations)} are)");
        if ((pooler_hidden_size ?? hidden_size) != hidden_size)
            throw new UnsupportedConfigException("pooler_hidden_size", $"pooler_hidden_size {pooler_hidden_size} differs from hidden_size {hidden_size}");
        if (attention_head_size is { } head && head * num_attention_heads != hidden_size)
            throw new UnsupportedConfigException("attention_head_size", $"attention_head_size {head} × {num_attention_heads} heads is not hidden_size {hidden_size}");
        if (hidden_size % num_attention_heads != 0)
            throw new ArgumentException($"config.json: hidden_size {hidden_size} is not divisible by num_attention_heads {num_attention_heads}");
        if (position_buckets > 0 && MaxRelativePositions - 1 <= position_buckets / 2)
            throw new ArgumentException($"config.json: max relative position {MaxRelativePositions} leaves no room for {position_buckets} log buckets");
        if (num_labels < 1) throw new ArgumentException($"config.json: num_labels {num_labels} is not positive");
    }

    private static string[] PositionAttentionTypes(JsonNode? node) => node switch
    {
        null => [],
        JsonArray list => list.Select(p => p!.GetValue<string>().Trim().ToLowerInvariant()).ToArray(),
        JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>().ToLowerInvariant().Split('|').Select(p => p.Trim()).ToArray(),
        _ => throw new UnsupportedConfigException("pos_att_type", $"pos_att_type {node.ToJsonString()} is neither a list nor a string"),
    };

    private static string[] NormRelEbdParts(string value) => value.ToLowerInvariant().Split('|').Select(p => p.Trim()).ToArray();

    protected override JsonObject Build() => new()
    {
        ["architectures"] = new JsonArray("DebertaV2ForSequenceClassification"),
        ["model_type"] = ModelType,
        ["vocab_size"] = vocab_size,
        ["hidden_size"] = hidden_size,
        ["num_hidden_layers"] = num_hidden_layers,
        ["num_attention_heads"] = num_attention_heads,
        ["intermediate_size"] = intermediate_size,
        ["hidden_act"] = hidden_act,
        ["hidden_dropout_prob"] = hidden_dropout_prob,
        ["attention_probs_dropout_prob"] = attention_probs_dropout_prob,
        ["max_position_embeddings"] = max_position_embeddings,
        ["type_vocab_size"] = type_vocab_size,
        ["initializer_range"] = initializer_range,
        ["layer_norm_eps"] = layer_norm_eps,
        ["relative_attention"] = relative_attention,
        ["max_relative_positions"] = max_relative_positions,
        ["position_buckets"] = position_buckets,
        ["norm_rel_ebd"] = norm_rel_ebd,
        ["share_att_key"] = share_att_key,
        ["position_biased_input"] = position_biased_input,
        ["pos_att_type"] = new JsonArray(pos_att_type.Select(p => (JsonNode?)p).ToArray()),
        ["embedding_size"] = EmbeddingSize,
        ["pooler_hidden_size"] = hidden_size,
        ["pooler_hidden_act"] = pooler_hidden_act,
        ["pooler_dropout"] = pooler_dropout,
        ["cls_dropout"] = cls_dropout,
        ["num_labels"] = num_labels,
        ["pad_token_id"] = pad_token_id,
        ["bos_token_id"] = bos_token_id,
        ["eos_token_id"] = eos_token_id,
        ["torch_dtype"] = "float32",
    };
}
