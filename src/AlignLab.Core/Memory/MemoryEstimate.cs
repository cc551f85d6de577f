namespace AlignLab.Core.Memory;

/// <summary>A first estimate of the device memory a method needs on a model, before anything is loaded:
/// <list type="bullet">
/// <item>weights: parameters × bytes per value (4 fp32, 2 bf16);</item>
/// <item>full fine-tuning adds gradients and AdamW's two moments in the weights' dtype (3 × weights); LoRA (r 8 on the
/// query and value maps) trains 4·r·hidden parameters a layer, kept in fp32;</item>
/// <item>activations: 17 · rows · tokens · hidden values a layer (Korthikanti et al. 2022 count 34 bytes at 16-bit, without
/// the attention-score term), plus the fp32 logits and their log-softmax (2 · rows · positions · vocabulary · 4 bytes, the
/// positions the output head runs on: every token, or for PPO the response's, as its passes run the head only where it
/// predicts a response token);</item>
/// <item>PPO adds a frozen reference (free with LoRA: it is the base), a critic (a second backbone when fully fine-tuned),
/// a reward model of the policy's size and the rollout KV cache (2 · layers · rows · tokens · hidden values) of one
/// generation pass; the logits are counted for that pass when it has more rows than the update's minibatch, as the
/// pass is scored by policy and reference at once.</item>
/// </list>
/// It is an estimate at each method's default batch (<see cref="Defaults"/>), for the registry and a first look;
/// allocator overhead and workspace are not counted.</summary>
/// <param name="Setting">"full" or "lora", and "fp32", "bf16" or "bf16-mixed".</param>
public sealed record MemoryEstimate(string Method, string Setting, long Bytes, string Breakdown)
{
    /// <summary>The default batch of each method: rows in one forward pass, tokens per row (prompt + response), and for PPO
    /// the new tokens of a rollout.</summary>
    public static readonly IReadOnlyList<(string Method, int Rows, int Tokens, bool Ppo, int NewTokens)> Defaults =
    [
        ("sft", 16, 128, false, 0),
        ("figa", 16, 128, false, 0),           // 8 pairs: initial and revised response in one pass
        ("reward-model", 32, 128, false, 0),   // 16 pairs
        ("ppo", 16, 96, true, 32),             // 16 rollouts of a 64-token prompt and 32 new tokens
        ("r3-ppo", 16, 640, true, 512),        // 16 rollouts of a 128-token prompt and 512 new tokens
    ];

    public const int LoraRank = 8;

    public static IReadOnlyList<MemoryEstimate> ForModel(ModelShape shape) =>
        [.. from d in Defaults
            from lora in new[] { false, true }
            from bytesPerValue in new[] { 4, 2 }
            let tokens = Math.Min(d.Tokens, shape.ContextLength)
            select For(shape, d.Method, d.Rows, tokens, d.Ppo, lora, bytesPerValue, headPositions: d.Ppo ? Math.Min(d.NewTokens, tokens) : null)];

    /// <param name="rolloutRows">PPO's generation pass, whose KV cache is counted, and which is scored by policy and
    /// reference at once (default: <paramref name="rows"/>).</param>
    /// <param name="masterWeights">bf16-mixed: fp32 master weights, their gradients and two moments (16 bytes a trained
    /// parameter) beside the bf16 gradients.</param>
    /// <param name="checkpointing">Activation checkpointing: each layer's input is kept, and one layer's values at a time
    /// ((layers + 17) · rows · tokens · hidden instead of 17 · layers · rows · tokens · hidden).</param>
    /// <param name="headPositions">Positions a row's output head runs on (default: <paramref name="tokens"/>).</param>
    public static MemoryEstimate For(ModelShape shape, string method, int rows, int tokens, bool ppo, bool lora, int bytesPerValue, int? rolloutRows = null,
        bool masterWeights = false, bool checkpointing = false, int? headPositions = null)
    {
        long weights = shape.Parameters * bytesPerValue;
        long adapters = 4L * LoraRank * shape.Hidden * shape.Layers;
        long training = lora ? adapters * 4 * 4                             // LoRA: fp32 adapters, grads, two moments
            : masterWeights ? weights + 16 * shape.Parameters : 3 * weights;
        // Logits and their fp32 log-softmax: of the update's rows, or, for PPO, of a rollout pass being scored, if more.
        long logitRows = ppo ? Math.Max(rows, rolloutRows ?? rows) : rows;
        long activations = (checkpointing ? shape.Layers + 17L : 17L * shape.Layers) * rows * tokens * shape.Hidden * bytesPerValue
            + 2L * logitRows * (headPositions ?? tokens) * shape.Vocabulary * 4;
        var parts = new List<(string, long)> { ("weights", weights), (lora ? "adapters and optimizer" : "gradients and optimizer", training), ("activations", activations) };
        if (ppo)
        {
            parts.Add(("reference", lora ? 0 : weights));
            parts.Add(("critic", lora ? adapters * 4 * 4 : weights + training));
            parts.Add(("reward model", weights));
            parts.Add(("KV cache", 2L * shape.Layers * (rolloutRows ?? rows) * tokens * shape.Hidden * bytesPerValue));
        }
        var setting = $"{(lora ? "lora" : "full")} {(masterWeights ? "bf16-mixed" : bytesPerValue == 2 ? "bf16" : "fp32")}";
        return new MemoryEstimate(method, setting, parts.Sum(p => p.Item2),
            string.Join(", ", parts.Where(p => p.Item2 > 0).Select(p => $"{p.Item1} {Format(p.Item2)}")));
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };
}
