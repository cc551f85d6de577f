using System.Text.Json.Nodes;

namespace AlignLab.Training.Models.Gpt2;

/// <summary>A GPT-2 family config.json (Hugging Face names, defaults of transformers' GPT2Config).</summary>
public sealed record Gpt2Config : ModelConfig
{
    public override string ModelType => "gpt2";
    public int vocab_size { get; init; } = 50257;
    public int n_positions { get; init; } = 1024;
    public int n_embd { get; init; } = 768;
    public int n_layer { get; init; } = 12;
    public int n_head { get; init; } = 12;
    public int? n_inner { get; init; }
    public string activation_function { get; init; } = "gelu_new";
    public double resid_pdrop { get; init; } = 0.1;
    public double embd_pdrop { get; init; } = 0.1;
    public double attn_pdrop { get; init; } = 0.1;
    public double layer_norm_epsilon { get; init; } = 1e-5;
    public double initializer_range { get; init; } = 0.02;
    public int? bos_token_id { get; init; } = 50256;
    public int? eos_token_id { get; init; } = 50256;

    public override int VocabSize => vocab_size;
    public override int HiddenSize => n_embd;
    public override int Layers => n_layer;
    public override int MaxPositions => n_positions;
    public override int? EosTokenId => eos_token_id;
    public override int? BosTokenId => bos_token_id;
    public int InnerSize => n_inner ?? 4 * n_embd;

    public static Gpt2Config FromJson(JsonObject json)
    {
        ConfigFieldCheck.Check(json);
        foreach (var field in new[] { "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn" })
            if (json[field] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True)
                throw new UnsupportedConfigException(field, $"{field} = true is not implemented");
        if (json["scale_attn_weights"] is JsonValue s && s.GetValueKind() == System.Text.Json.JsonValueKind.False)
            throw new UnsupportedConfigException("scale_attn_weights", "scale_attn_weights = false is not implemented");
        var config = System.Text.Json.JsonSerializer.Deserialize<Gpt2Config>(json.ToJsonString())! with { Source = json.DeepClone().AsObject() };
        if (config.n_embd % config.n_head != 0)
            throw new ArgumentException($"config.json: n_embd {config.n_embd} is not divisible by n_head {config.n_head}");
        if (config.activation_function is not ("gelu_new" or "gelu" or "gelu_pytorch_tanh" or "relu"))
            throw new UnsupportedConfigException("activation_function", $"activation_function '{config.activation_function}' is not supported");
        return config;
    }

    protected override JsonObject Build() => new()
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["model_type"] = ModelType,
        ["vocab_size"] = vocab_size,
        ["n_positions"] = n_positions,
        ["n_ctx"] = n_positions,
        ["n_embd"] = n_embd,
        ["n_layer"] = n_layer,
        ["n_head"] = n_head,
        ["n_inner"] = n_inner,
        ["activation_function"] = activation_function,
        ["resid_pdrop"] = resid_pdrop,
        ["embd_pdrop"] = embd_pdrop,
        ["attn_pdrop"] = attn_pdrop,
        ["layer_norm_epsilon"] = layer_norm_epsilon,
        ["initializer_range"] = initializer_range,
        ["bos_token_id"] = bos_token_id,
        ["eos_token_id"] = eos_token_id,
        ["tie_word_embeddings"] = true,
        ["torch_dtype"] = "float32",
    };
}
