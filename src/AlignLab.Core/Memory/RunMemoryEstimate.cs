using System.Text.Json.Nodes;
using AlignLab.Core.Methods;

namespace AlignLab.Core.Memory;

/// <summary>The memory estimate of one run (<see cref="MemoryEstimate.For"/>) from its resolved parameters:
/// <list type="bullet">
/// <item>rows in one pass: <c>batch_size</c>, twice over for FIGA and reward models (both responses of a pair) and times
/// FIGA's <c>micro_batches_per_pass</c>, and PPO's
/// <c>mini_batch_size</c> for the update, with the KV cache of one generation pass (<c>generation_batch_size</c>
/// rollouts, or all <c>batch_size</c> when it is 0);</item>
/// <item>tokens: <c>max_length</c>, at most the model's context; PPO's output head runs on <c>max_new_tokens</c> of them;</item>
/// <item>LoRA from <c>lora</c>; 2 bytes a value where the model computes in bf16 (<c>precision</c> bf16, bf16-mixed, and auto
/// on CUDA), else 4; fp32 master weights for bf16-mixed; <c>activation_checkpointing</c>.</item>
/// </list>
/// Null for a method that trains no model (smoke, SPA construction, query types, evaluation).</summary>
public static class RunMemoryEstimate
{
    public static MemoryEstimate? For(string method, IReadOnlyDictionary<string, JsonNode?> parameters, ModelShape shape)
    {
        if (MemoryEstimate.Defaults.FirstOrDefault(d => d.Method == method) is not { Method: not null } defaults) return null;
        var batch = Int(parameters, "batch_size") ?? defaults.Rows;
        var pairs = method is MethodNames.Figa or MethodNames.RewardModel;
        var perPass = Figa.FigaPasses.MicroBatchesPerPass(Int(parameters, "micro_batches_per_pass") ?? 1, Int(parameters, "grad_accum"));
        var rows = defaults.Ppo ? Int(parameters, "mini_batch_size") ?? batch : pairs ? 2 * batch * perPass : batch;
        var tokens = Math.Min(Int(parameters, "max_length") ?? defaults.Tokens, shape.ContextLength);
        var lora = Flag(parameters, "lora");
        var precision = Training.Precision.Resolve(Text(parameters, "precision") ?? Training.Precision.Fp32, Text(parameters, "device") ?? "cpu");
        var bytesPerValue = Training.Precision.ComputesInBf16(precision) ? 2 : 4;
        var generationPass = Ppo.GenerationPasses.RowsPerPass(Int(parameters, "generation_batch_size") ?? 0, batch);
        int? headPositions = defaults.Ppo ? Math.Min(Int(parameters, "max_new_tokens") ?? defaults.NewTokens, tokens) : null;
        return MemoryEstimate.For(shape, method, rows, tokens, defaults.Ppo, lora, bytesPerValue, defaults.Ppo ? generationPass : null,
            masterWeights: precision == Training.Precision.Bf16Mixed, checkpointing: Flag(parameters, "activation_checkpointing"), headPositions);
    }

    /// <summary>An integer parameter, whether it is held as an int, a long (validated values) or a JSON number.</summary>
    private static int? Int(IReadOnlyDictionary<string, JsonNode?> parameters, string name) =>
        parameters.GetValueOrDefault(name) is JsonValue v
            ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<long>(out var l) ? (int)Math.Min(l, int.MaxValue) : null
            : null;

    private static bool Flag(IReadOnlyDictionary<string, JsonNode?> parameters, string name) =>
        parameters.GetValueOrDefault(name) is JsonValue v && v.TryGetValue<bool>(out var on) && on;

    private static string? Text(IReadOnlyDictionary<string, JsonNode?> parameters, string name) =>
        parameters.GetValueOrDefault(name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
