using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Models.Llama;

/// <summary>A Llama-family config.json (Hugging Face names): llama, mistral, qwen2 and qwen3, whose tensors carry the same
/// names. Qwen2 adds q/k/v biases; Qwen3 adds q_norm/k_norm and a head_dim of its own; Mistral may attend over a sliding
/// window. Fields that would change the computation and are not implemented are refused (<see cref="ConfigFieldCheck"/>).</summary>
public sealed record LlamaConfig : ModelConfig
{
    public static readonly string[] ModelTypes = ["llama", "mistral", "qwen2", "qwen3"];

    public string model_type { get; init; } = "llama";
    public override string ModelType => model_type;
    public int vocab_size { get; init; } = 32000;
    public int hidden_size { get; init; } = 4096;
    public int intermediate_size { get; init; } = 11008;
    public int num_hidden_layers { get; init; } = 32;
    public int num_attention_heads { get; init; } = 32;
    public int? num_key_value_heads { get; init; }
    public int? head_dim { get; init; }
    public int max_position_embeddings { get; init; } = 2048;
    public double rms_norm_eps { get; init; } = 1e-6;
    public double rope_theta { get; init; } = 10000;
    public bool attention_bias { get; init; }
    public bool mlp_bias { get; init; }
    public bool tie_word_embeddings { get; init; }
    public string hidden_act { get; init; } = "silu";
    public double initializer_range { get; init; } = 0.02;
    public int? bos_token_id { get; init; } = 1;

    /// <summary>Every eos_token_id of the config (one id or a list); the first is <see cref="EosTokenId"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];

    /// <summary>One EOS id, for configs made in code.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? eos_token_id { get => EosTokenId; init => EosTokenIds = value is { } id ? [id] : []; }

    /// <summary>Keys attend to at most this many positions back (Mistral's sliding window); null: all.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? SlidingWindow { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public RopeScaling? RopeScaling { get; init; }

    public override int VocabSize => vocab_size;
    public override int HiddenSize => hidden_size;
    public override int Layers => num_hidden_layers;
    public override int MaxPositions => max_position_embeddings;
    public override int? EosTokenId => EosTokenIds.Count > 0 ? EosTokenIds[0] : null;
    public override int? BosTokenId => bos_token_id;
    public int KeyValueHeads => num_key_value_heads ?? num_attention_heads;
    public int HeadDim => head_dim ?? hidden_size / num_attention_heads;
    /// <summary>Qwen2 puts biases on q, k and v (its config has no attention_bias field).</summary>
    public bool QkvBias => attention_bias || model_type == "qwen2";
    /// <summary>Qwen3 normalises each head of q and k (RMSNorm over head_dim) before the rotary embedding.</summary>
    public bool QkNorm => model_type == "qwen3";

    public static LlamaConfig FromJson(JsonObject source)
    {
        ConfigFieldCheck.Check(source);
        var json = source.DeepClone().AsObject();
        // transformers 5 moves rope_theta and the scaling into rope_parameters.
        var rope = json["rope_parameters"] as JsonObject;
        var eos = Core.Tokenization.TextTokenizer.TokenIds(json["eos_token_id"], ModelFolder.ConfigFile);
        var scaling = RopeScaling.FromJson(json["rope_scaling"] ?? rope);
        foreach (var key in new[] { "eos_token_id", "rope_scaling", "rope_parameters" }) json.Remove(key);
        if (rope?["rope_theta"] is { } theta) json["rope_theta"] = theta.DeepClone();
        var type = json["model_type"]?.GetValue<string>();
        // transformers' defaults where a family's config class differs from Llama's.
        if (type == "qwen3" && json["head_dim"] is null) json["head_dim"] = 128;
        if (type is not "llama") json.Remove("mlp_bias");
        var config = JsonSerializer.Deserialize<LlamaConfig>(json.ToJsonString())! with
        {
            EosTokenIds = eos,
            RopeScaling = scaling,
            SlidingWindow = SlidingWindowInUse(json),
            Source = source.DeepClone().AsObject(),
        };
        foreach (var (field, value) in new[] { ("vocab_size", config.vocab_size), ("hidden_size", config.hidden_size), ("intermediate_size", config.intermediate_size),
                     ("num_hidden_layers", config.num_hidden_layers), ("num_attention_heads", config.num_attention_heads), ("num_key_value_heads", config.KeyValueHeads),
                     ("head_dim", config.HeadDim), ("max_position_embeddings", config.max_position_embeddings) })
            if (value < 1) throw new InvalidDataException($"config.json: {field} must be at least 1, not {value}");
        if (!ModelTypes.Contains(config.model_type))
            throw new UnsupportedConfigException("model_type", $"model_type '{config.model_type}' is not a Llama-family type ({string.Join(", ", ModelTypes)})");
        if (config.num_attention_heads % config.KeyValueHeads != 0)
            throw new ArgumentException($"config.json: num_attention_heads {config.num_attention_heads} is not a multiple of num_key_value_heads {config.KeyValueHeads}");
        if (config.hidden_act != "silu") throw new UnsupportedConfigException("hidden_act", $"hidden_act '{config.hidden_act}' is not supported (silu)");
        return config;
    }

    // Mistral applies sliding_window whenever it is set (4096 when the config leaves it out, as MistralConfig does); Llama
    // has none; Qwen2/Qwen3 only with use_sliding_window (and then only from max_window_layers on, which is not
    // implemented: refused). layer_types naming sliding layers is refused likewise.
    private static int? SlidingWindowInUse(JsonObject json)
    {
        var type = json["model_type"]?.GetValue<string>();
        var window = json["sliding_window"] is JsonValue w && w.GetValueKind() == JsonValueKind.Number ? w.GetValue<int>()
            : type == "mistral" && !json.ContainsKey("sliding_window") ? 4096 : (int?)null;
        if (json["layer_types"] is JsonArray layers && layers.Any(l => l?.GetValue<string>() != "full_attention"))
            throw new UnsupportedConfigException("layer_types", "layer_types with sliding-window layers is not implemented");
        if (type is "qwen2" or "qwen3")
        {
            var used = json["use_sliding_window"] is JsonValue u && u.GetValueKind() == JsonValueKind.True;
            if (used && window is not null)
                throw new UnsupportedConfigException("use_sliding_window", "use_sliding_window = true (per-layer sliding windows) is not implemented");
            return null;
        }
        return type == "mistral" ? window : null;
    }

    protected override JsonObject Build()
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(model_type switch
            {
                "mistral" => "MistralForCausalLM",
                "qwen2" => "Qwen2ForCausalLM",
                "qwen3" => "Qwen3ForCausalLM",
                _ => "LlamaForCausalLM",
            }),
            ["model_type"] = model_type,
            ["vocab_size"] = vocab_size,
            ["hidden_size"] = hidden_size,
            ["intermediate_size"] = intermediate_size,
            ["num_hidden_layers"] = num_hidden_layers,
            ["num_attention_heads"] = num_attention_heads,
            ["num_key_value_heads"] = KeyValueHeads,
            ["head_dim"] = HeadDim,
            ["max_position_embeddings"] = max_position_embeddings,
            ["rms_norm_eps"] = rms_norm_eps,
            ["rope_theta"] = rope_theta,
            ["attention_bias"] = attention_bias,
            ["mlp_bias"] = mlp_bias,
            ["tie_word_embeddings"] = tie_word_embeddings,
            ["hidden_act"] = hidden_act,
            ["initializer_range"] = initializer_range,
            ["bos_token_id"] = bos_token_id,
            ["eos_token_id"] = EosTokenIds.Count == 1 ? EosTokenIds[0] : new JsonArray([.. EosTokenIds.Select(i => (JsonNode)i)]),
            ["torch_dtype"] = "float32",
        };
        if (SlidingWindow is { } window) json["sliding_window"] = window;
        if (RopeScaling is { } s)
            json["rope_scaling"] = s.Type == "linear"
                ? new JsonObject { ["rope_type"] = "linear", ["factor"] = s.Factor }
                : new JsonObject
                {
                    ["rope_type"] = s.Type, ["factor"] = s.Factor, ["low_freq_factor"] = s.LowFreqFactor,
                    ["high_freq_factor"] = s.HighFreqFactor, ["original_max_position_embeddings"] = s.OriginalMaxPositions,
                };
        return json;
    }
}
