using AlignLab.Training.Models;
using F = TorchSharp.torch.nn.functional;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>The generation path before <see cref="TextGenerator"/>'s: a cache grown by concatenation every token, the
/// attention mask grown the same way, and every token brought to the host to check the stop conditions. Kept as the
/// reference the new path must match token for token (greedy, and sampled with a seed), and as the baseline of the
/// rollout benchmark (<c>method-throughput</c>'s rollout ratio).</summary>
public static class StepwiseGenerator
{
    public static IReadOnlyList<TextGenerator.Sequence> Generate(CausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token");
        var device = model.parameters().First().device;
        var stops = new HashSet<long>(TextGenerator.StopTokens(model, options));
        var random = TextGenerator.SeededDraws(device, options.Seed);
        int batch = prompts.Count, promptLength = prompts.Max(p => p.Length);

        var ids = new long[batch * promptLength];
        var maskValues = new long[batch * promptLength];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < prompts[b].Length; i++)
            {
                var column = promptLength - prompts[b].Length + i;                 // left padding
                ids[b * promptLength + column] = prompts[b][i];
                maskValues[b * promptLength + column] = 1;
            }
        for (int i = 0; i < ids.Length; i++) if (maskValues[i] == 0) ids[i] = options.PadTokenId;

        var generated = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var ended = new bool[batch];
        var endTokens = new int?[batch];
        try
        {
            using var evaluating = EvalMode.Enter(model);
            using var cache = model.NewCache();
            // The step's inputs outlive each step's dispose scope; the previous ones are disposed as they are replaced.
            var attention = tensor(maskValues, [batch, promptLength], device: device);
            var next = tensor(ids, [batch, promptLength], device: device);
            try
            {
                var limit = Math.Min(options.MaxNewTokens, model.Config.MaxPositions - promptLength);
                for (int step = 0; step < limit && ended.Contains(false); step++)
                {
                    using var scope = NewDisposeScope();
                    var logits = model.Forward(next, attention, cache: cache).select(1, -1);          // (B, V)
                    var tokens = TextGenerator.Choose(logits, options, random).cpu().data<long>().ToArray();        // (B)
                    for (int b = 0; b < batch; b++)
                    {
                        if (ended[b]) { tokens[b] = options.PadTokenId; continue; }
                        if (stops.Contains(tokens[b])) (ended[b], endTokens[b]) = (true, (int)tokens[b]);
                        else generated[b].Add((int)tokens[b]);
                    }
                    var grown = cat([attention, ones(batch, 1, dtype: ScalarType.Int64, device: device)], 1).DetachFromDisposeScope();
                    var following = tensor(tokens, [batch, 1], device: device).DetachFromDisposeScope();
                    attention.Dispose();
                    next.Dispose();
                    (attention, next) = (grown, following);
                }
            }
            finally
            {
                attention.Dispose();
                next.Dispose();
            }
        }
        finally
        {
            random?.Dispose();
        }
        return generated.Select((g, b) => new TextGenerator.Sequence([.. g], ended[b], endTokens[b])).ToList();
    }
}
