using System.Text.Json;

namespace AlignLab.Testing.Reference;

/// <summary>
/// The fields of a Hugging Face config.json that the reference forward pass uses, read with the defaults of the
/// transformers config classes (GPT2Config, LlamaConfig, MistralConfig, Qwen2Config, Qwen3Config).
/// </summary>
public sealed class ReferenceConfig
{
    /// <summary>"gpt2", "llama", "mistral", "qwen2" or "qwen3".</summary>
    public required string ModelType { get; init; }

    /// <summary>Model width (n_embd for gpt2).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Number of decoder blocks (n_layer).</summary>
    public required int NumLayers { get; init; }

    /// <summary>Number of query heads (n_head).</summary>
    public required int NumHeads { get; init; }

    /// <summary>Number of key/value heads (GQA); equals NumHeads for gpt2.</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>Per-head width.</summary>
    public required int HeadDim { get; init; }

    /// <summary>MLP width (intermediate_size; n_inner or 4*n_embd for gpt2).</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>vocab_size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>max_position_embeddings (n_positions for gpt2).</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>rms_norm_eps, or layer_norm_epsilon for gpt2.</summary>
    public required double NormEps { get; init; }

    /// <summary>hidden_act (activation_function for gpt2).</summary>
    public required string Activation { get; init; }

    /// <summary>tie_word_embeddings.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on q/k/v projections (llama/qwen3: attention_bias; qwen2: always; mistral: never).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on o_proj (llama/qwen3: attention_bias; qwen2/mistral: never).</summary>
    public bool OutputBias { get; init; }

    /// <summary>Bias on gate/up/down (llama mlp_bias).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Qwen3 q_norm/k_norm (RMSNorm over head_dim, per head, before RoPE).</summary>
    public bool QkNorm { get; init; }

    /// <summary>RoPE settings (null for gpt2).</summary>
    public RopeSpec? Rope { get; init; }

    /// <summary>Sliding window per layer (null = full causal). The reference does not implement it; see ReferenceLm.</summary>
    public int?[] SlidingWindowPerLayer { get; init; } = [];

    /// <summary>gpt2 scale_attn_weights.</summary>
    public bool ScaleAttnWeights { get; init; } = true;

    /// <summary>gpt2 scale_attn_by_inverse_layer_idx.</summary>
    public bool ScaleAttnByInverseLayerIdx { get; init; }

    /// <summary>True for the RMSNorm/RoPE/SwiGLU family (llama, mistral, qwen2, qwen3).</summary>
    public bool IsLlamaFamily => ModelType is "llama" or "mistral" or "qwen2" or "qwen3";

    /// <summary>Reads folder/config.json.</summary>
    public static ReferenceConfig Load(string modelFolder) => Parse(File.ReadAllText(Path.Combine(modelFolder, "config.json")));

    /// <summary>Parses config.json text.</summary>
    public static ReferenceConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var c = new JsonFields(doc.RootElement);
        string modelType = c.String("model_type", null) ?? throw new InvalidDataException("config.json has no model_type.");
        return modelType switch
        {
            "gpt2" => ParseGpt2(c),
            "llama" or "mistral" or "qwen2" or "qwen3" => ParseLlamaFamily(c, modelType),
            _ => throw new NotSupportedException($"model_type '{modelType}' is not supported by the reference model (gpt2, llama, mistral, qwen2, qwen3)."),
        };
    }

    private static ReferenceConfig ParseGpt2(JsonFields c)
    {
        // GPT2Config defaults; attribute_map: hidden_size->n_embd, num_attention_heads->n_head,
        // num_hidden_layers->n_layer, max_position_embeddings->n_positions.
        int nEmbd = c.Int("n_embd", c.Int("hidden_size", 768));
        int nHead = c.Int("n_head", c.Int("num_attention_heads", 12));
        int nLayer = c.Int("n_layer", c.Int("num_hidden_layers", 12));
        int nPositions = c.Int("n_positions", c.Int("max_position_embeddings", 1024));
        int? nInner = c.NullableInt("n_inner", null);
        if (nEmbd % nHead != 0)
        {
            throw new InvalidDataException($"gpt2: n_embd {nEmbd} is not divisible by n_head {nHead}.");
        }

        return new ReferenceConfig
        {
            ModelType = "gpt2",
            HiddenSize = nEmbd,
            NumLayers = nLayer,
            NumHeads = nHead,
            NumKeyValueHeads = nHead,
            HeadDim = nEmbd / nHead,
            IntermediateSize = nInner ?? 4 * nEmbd,
            VocabSize = c.Int("vocab_size", 50257),
            MaxPositionEmbeddings = nPositions,
            NormEps = c.Double("layer_norm_epsilon", 1e-5),
            Activation = c.String("activation_function", "gelu_new")!,
            TieWordEmbeddings = c.Bool("tie_word_embeddings", true),
            ScaleAttnWeights = c.Bool("scale_attn_weights", true),
            ScaleAttnByInverseLayerIdx = c.Bool("scale_attn_by_inverse_layer_idx", false),
            SlidingWindowPerLayer = new int?[nLayer],
        };
    }

    private static ReferenceConfig ParseLlamaFamily(JsonFields c, string modelType)
    {
        // Class defaults (transformers LlamaConfig / MistralConfig / Qwen2Config / Qwen3Config).
        int defVocab = modelType is "qwen2" or "qwen3" ? 151936 : 32000;
        int defIntermediate = modelType switch { "llama" => 11008, "mistral" => 14336, _ => 22016 };
        int defMaxPos = modelType switch { "llama" => 2048, "mistral" => 4096 * 32, _ => 32768 };

        int hidden = c.Int("hidden_size", 4096);
        int heads = c.Int("num_attention_heads", 32);
        int layers = c.Int("num_hidden_layers", 32);

        // num_key_value_heads: llama default None (-> heads), mistral 8, qwen2/qwen3 32; explicit null -> heads.
        int? kvDefault = modelType switch { "llama" => null, "mistral" => 8, _ => 32 };
        int kvHeads = c.NullableInt("num_key_value_heads", kvDefault) ?? heads;

        // head_dim: llama/mistral field default None -> hidden // heads; qwen2 has no field (attention uses
        // getattr(config, "head_dim", hidden // heads)); qwen3 field default 128 (NOT hidden // heads).
        int? headDimDefault = modelType == "qwen3" ? 128 : null;
        int headDim = c.NullableInt("head_dim", headDimDefault) ?? hidden / heads;

        if (heads % kvHeads != 0)
        {
            throw new InvalidDataException($"num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}.");
        }

        bool attentionBias = c.Bool("attention_bias", false);
        bool qkvBias = modelType switch { "qwen2" => true, "mistral" => false, _ => attentionBias };
        bool oBias = modelType switch { "qwen2" or "mistral" => false, _ => attentionBias };
        bool mlpBias = modelType == "llama" && c.Bool("mlp_bias", false);

        int maxPos = c.Int("max_position_embeddings", defMaxPos);
        var rope = ParseRope(c, maxPos);

        // Sliding windows (not implemented by the reference; ReferenceLm throws if one would mask anything).
        var windows = new int?[layers];
        if (modelType == "mistral")
        {
            int? w = c.NullableInt("sliding_window", 4096);
            for (int i = 0; i < layers; i++)
            {
                windows[i] = w;
            }
        }
        else if (modelType is "qwen2" or "qwen3")
        {
            int? w = c.Bool("use_sliding_window", false) ? c.NullableInt("sliding_window", 4096) : null;
            int maxWindowLayers = c.Int("max_window_layers", 28);
            string[]? layerTypes = c.StringArray("layer_types");
            for (int i = 0; i < layers; i++)
            {
                bool sliding = layerTypes is not null
                    ? i < layerTypes.Length && layerTypes[i] == "sliding_attention"
                    : w is not null && i >= maxWindowLayers;
                windows[i] = sliding ? w : null;
            }
        }

        return new ReferenceConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            NumLayers = layers,
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            IntermediateSize = c.Int("intermediate_size", defIntermediate),
            VocabSize = c.Int("vocab_size", defVocab),
            MaxPositionEmbeddings = maxPos,
            NormEps = c.Double("rms_norm_eps", 1e-6),
            Activation = c.String("hidden_act", "silu")!,
            TieWordEmbeddings = c.Bool("tie_word_embeddings", false),
            QkvBias = qkvBias,
            OutputBias = oBias,
            MlpBias = mlpBias,
            QkNorm = modelType == "qwen3",
            Rope = rope,
            SlidingWindowPerLayer = windows,
        };
    }

    /// <summary>
    /// RoPE parameters as transformers 4.x (rope_theta + rope_scaling) and 5.x (rope_parameters) read them:
    /// the dict is rope_scaling if set, else rope_parameters; rope_theta comes from the dict, else the top level,
    /// else 10000; the type is dict["rope_type"], else dict["type"] (legacy), else "default".
    /// </summary>
    private static RopeSpec ParseRope(JsonFields c, int maxPositionEmbeddings)
    {
        JsonFields? dict = c.Object("rope_scaling") ?? c.Object("rope_parameters");
        if (dict is not null && dict.Value.Root.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            throw new NotSupportedException("Per-layer-type (nested) rope_parameters are not supported by the reference model.");
        }

        double theta = dict?.NullableDouble("rope_theta", null) ?? c.Double("rope_theta", 10000.0);
        string type = dict?.String("rope_type", null) ?? dict?.String("type", null) ?? "default";
        double partial = dict?.NullableDouble("partial_rotary_factor", null) ?? c.Double("partial_rotary_factor", 1.0);
        if (partial != 1.0)
        {
            throw new NotSupportedException($"partial_rotary_factor {partial} is not supported by the reference model.");
        }

        switch (type)
        {
            case "default":
                return new RopeSpec("default", theta);
            case "linear":
                return new RopeSpec("linear", theta, Factor: dict!.Value.RequiredDouble("factor"));
            case "llama3":
                {
                    var d = dict!.Value;
                    double oldContext = d.NullableDouble("original_max_position_embeddings", null)
                        ?? c.NullableDouble("original_max_position_embeddings", null)
                        ?? maxPositionEmbeddings;
                    return new RopeSpec(
                        "llama3",
                        theta,
                        Factor: d.RequiredDouble("factor"),
                        LowFreqFactor: d.RequiredDouble("low_freq_factor"),
                        HighFreqFactor: d.RequiredDouble("high_freq_factor"),
                        OriginalMaxPositionEmbeddings: oldContext);
                }

            default:
                throw new NotSupportedException($"RoPE type '{type}' is not supported by the reference model (default, linear, llama3 only).");
        }
    }

    /// <summary>Typed access to JSON fields where an absent key yields the default and null means None.</summary>
    private readonly struct JsonFields(JsonElement root)
    {
        public JsonElement Root { get; } = root;

        private bool TryGet(string name, out JsonElement value)
        {
            if (Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out value))
            {
                return true;
            }

            value = default;
            return false;
        }

        public JsonFields? Object(string name) =>
            TryGet(name, out var v) && v.ValueKind == JsonValueKind.Object && v.EnumerateObject().Any() ? new JsonFields(v) : null;

        public int? NullableInt(string name, int? def)
        {
            if (!TryGet(name, out var v))
            {
                return def;
            }

            if (v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.TryGetInt32(out int i))
            {
                return i;
            }

            double d = v.GetDouble();
            if (d != Math.Floor(d))
            {
                throw new InvalidDataException($"config.json: '{name}' should be an integer, got {d}.");
            }

            return checked((int)d);
        }

        public int Int(string name, int def) => NullableInt(name, def)
            ?? throw new InvalidDataException($"config.json: '{name}' is null.");

        public double? NullableDouble(string name, double? def)
        {
            if (!TryGet(name, out var v))
            {
                return def;
            }

            return v.ValueKind == JsonValueKind.Null ? null : v.GetDouble();
        }

        public double Double(string name, double def) => NullableDouble(name, def) ?? def;

        public double RequiredDouble(string name) => NullableDouble(name, null)
            ?? throw new InvalidDataException($"config.json: rope parameter '{name}' is required.");

        public bool Bool(string name, bool def)
        {
            if (!TryGet(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return def;
            }

            return v.GetBoolean();
        }

        public string? String(string name, string? def)
        {
            if (!TryGet(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return def;
            }

            return v.GetString();
        }

        public string[]? StringArray(string name)
        {
            if (!TryGet(name, out var v) || v.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return v.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray();
        }
    }
}
