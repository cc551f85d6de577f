using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Models.Llama;

/// <summary>config.json's rope_scaling: how rotary frequencies are stretched for contexts beyond the original training
/// length. Implemented: "linear" (positions divided by factor) and "llama3" (Llama 3.1's wavelength bands, from
/// transformers' _compute_llama3_parameters). Every other type is refused at load with its name.</summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4, int OriginalMaxPositions = 8192)
{
    public static RopeScaling? FromJson(JsonNode? node)
    {
        if (node is null) return null;
        if (node is not JsonObject json) throw new UnsupportedConfigException("rope_scaling", "rope_scaling must be an object");
        var type = (json["rope_type"] ?? json["type"]) is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        double Number(string key) => json[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.Deserialize<double>()
            : throw new UnsupportedConfigException($"rope_scaling.{key}", $"rope_scaling.{key} is required for rope_type '{type}'");
        switch (type)
        {
            case null or "default":
                return null;
            case "linear":
                return new RopeScaling(type, Number("factor"));
            case "llama3":
                return new RopeScaling(type, Number("factor"), Number("low_freq_factor"), Number("high_freq_factor"),
                    (int)Number("original_max_position_embeddings"));
            default:
                throw new UnsupportedConfigException("rope_scaling.rope_type",
                    $"rope_scaling.rope_type '{type}' is not implemented (supported: default, linear, llama3)");
        }
    }

    /// <summary>The rotary inverse frequencies θ^(−2i/D), i = 0 … D/2 − 1, with this scaling applied.</summary>
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling)
    {
        var inverse = new double[headDim / 2];
        for (int i = 0; i < inverse.Length; i++) inverse[i] = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
        if (scaling is null) return inverse;
        if (scaling.Type == "linear") return [.. inverse.Select(f => f / scaling.Factor)];
        // llama3: long wavelengths (beyond original/low_freq_factor) are divided by factor, short ones (below
        // original/high_freq_factor) kept, and the band between interpolated smoothly.
        double lowWavelength = scaling.OriginalMaxPositions / scaling.LowFreqFactor;
        double highWavelength = scaling.OriginalMaxPositions / scaling.HighFreqFactor;
        return [.. inverse.Select(f =>
        {
            var wavelength = 2 * Math.PI / f;
            if (wavelength < highWavelength) return f;
            if (wavelength > lowWavelength) return f / scaling.Factor;
            var smooth = (scaling.OriginalMaxPositions / wavelength - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
            return (1 - smooth) * f / scaling.Factor + smooth * f;
        })];
    }
}
