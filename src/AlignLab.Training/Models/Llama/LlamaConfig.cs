using System.Text.Json.Nodes;

namespace AlignLab.Training.Models.Llama;

/// <summary>A Llama-family config.json (Hugging Face names). Mistral and Qwen2 configs load too: their tensors carry
/// the same names (Qwen2 adds q/k/v biases; Mistral's sliding window is not applied, which only matters beyond it).</summary>
public sealed record LlamaConfig : ModelConfig
{
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
    public int? eos_token_id { get; init; } = 2;

    public override int VocabSize => vocab_size;
    public override int HiddenSize => hidden_size;
    public override int Layers => num_hidden_layers;
    public override int MaxPositions => max_position_embeddings;
    public override int? EosTokenId => eos_token_id;
    public override int? BosTokenId => bos_token_id;
    public int KeyValueHeads => num_key_value_heads ?? num_attention_heads;
    public int HeadDim => head_dim ?? hidden_size / num_attention_heads;
    /// <summary>Qwen2 puts biases on q, k and v (its config has no attention_bias field).</summary>
    public bool QkvBias => attention_bias || model_type == "qwen2";

    public static LlamaConfig FromJson(JsonObject json)
    {
        // Some configs give eos_token_id as a list; the first is the one generation stops at.
        if (json["eos_token_id"] is JsonArray eos) json["eos_token_id"] = eos.Count > 0 ? eos[0]!.DeepClone() : null;
        json.Remove("rope_scaling");
        var config = System.Text.Json.JsonSerializer.Deserialize<LlamaConfig>(json.ToJsonString())!;
        if (config.num_attention_heads % config.KeyValueHeads != 0)
            throw new ArgumentException($"config.json: num_attention_heads {config.num_attention_heads} is not a multiple of num_key_value_heads {config.KeyValueHeads}");
        if (config.hidden_act != "silu") throw new ArgumentException($"config.json: hidden_act '{config.hidden_act}' is not supported (silu)");
        return config;
    }

    public override JsonObject ToJson() => new()
    {
        ["architectures"] = new JsonArray(model_type switch { "mistral" => "MistralForCausalLM", "qwen2" => "Qwen2ForCausalLM", _ => "LlamaForCausalLM" }),
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
        ["eos_token_id"] = eos_token_id,
        ["torch_dtype"] = "float32",
    };
}
