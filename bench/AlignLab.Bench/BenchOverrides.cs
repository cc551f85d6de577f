using System.Text.Json.Nodes;

namespace AlignLab.Bench;

/// <summary>Run parameters that a GPU session sets for every method run of the benchmarks (bench/gpu-session.sh, through
/// <see cref="BenchRunContext"/>): fused_adamw off when the session's first probe of libtorch's fused AdamW kernel on the
/// device did not complete, so that the measurements go on with TorchSharp's AdamW instead of failing one after the other.</summary>
public static class BenchOverrides
{
    public const string FusedAdamWVariable = "ALIGNLAB_BENCH_FUSED_ADAMW";

    /// <summary>A run's parameters with the session's overrides (the same ones when there are none).</summary>
    public static IReadOnlyDictionary<string, JsonNode?> Apply(IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        if (Environment.GetEnvironmentVariable(FusedAdamWVariable) != "false") return parameters;
        var overridden = parameters.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        overridden["fused_adamw"] = JsonValue.Create(false);
        return overridden;
    }
}
