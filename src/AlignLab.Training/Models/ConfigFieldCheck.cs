using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Models;

/// <summary>Refuses, at load, config.json fields that would change the computation in ways the architectures here do
/// not implement, naming the field, so that no model loads silently wrong. Fields that only describe training or
/// serving (dropout of 0, use_cache, transformers_version, …) pass.</summary>
public static class ConfigFieldCheck
{
    // Present with any value other than the listed neutral one, each of these changes the logits (attention_dropout only
    // those of training, which does not apply it).
    private static readonly Dictionary<string, JsonNode?> NeutralValues = new(StringComparer.Ordinal)
    {
        ["attn_logit_softcapping"] = null,
        ["final_logit_softcapping"] = null,
        ["quantization_config"] = null,
        ["query_pre_attn_scalar"] = null,
        ["partial_rotary_factor"] = 1.0,
        ["logits_scaling"] = 1.0,
        ["embedding_multiplier"] = 1.0,
        ["residual_multiplier"] = 1.0,
        ["attention_multiplier"] = null,
        ["num_experts"] = null,
        ["num_local_experts"] = null,
        ["moe_intermediate_size"] = null,
        ["no_rope_layers"] = null,
        ["use_qk_norm"] = false,
        ["qk_layernorm"] = false,
        ["attention_dropout"] = 0.0,
    };

    /// <summary>Throws <see cref="UnsupportedConfigException"/> naming the first field whose value the model would ignore.</summary>
    public static void Check(JsonObject json)
    {
        foreach (var (field, neutral) in NeutralValues)
        {
            if (!json.TryGetPropertyValue(field, out var value) || value is null) continue;
            if (neutral is not null && IsNumber(value, out var given) && IsNumber(neutral, out var expected) && given == expected) continue;
            if (neutral is not null && value.GetValueKind() is JsonValueKind.False && neutral.GetValueKind() == JsonValueKind.False) continue;
            throw new UnsupportedConfigException(field, $"{field} = {value.ToJsonString()} is not implemented");
        }
    }

    private static bool IsNumber(JsonNode node, out double value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        value = v.Deserialize<double>();
        return true;
    }
}

/// <summary>A config.json field the platform cannot honour; <see cref="Field"/> names it.</summary>
public sealed class UnsupportedConfigException(string field, string message) : NotSupportedException($"config.json: {message}")
{
    public string Field { get; } = field;
}
