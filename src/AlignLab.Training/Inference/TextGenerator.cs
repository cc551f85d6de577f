using AlignLab.Training.Models;
using F = TorchSharp.torch.nn.functional;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>Batched sampling with a KV cache: prompts are left-padded to one length, the prompt is run once,
/// then one token per step attends to the cache. A sequence that emits EOS is finished; the batch stops when
/// all are or at the token limit.</summary>
public static class TextGenerator
{
    /// <param name="EndToken">The stop token that ended the sequence (not part of <paramref name="Tokens"/>).</param>
    public sealed record Sequence(int[] Tokens, bool EndedWithEos, int? EndToken = null);

    public static IReadOnlyList<Sequence> Generate(CausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token");
        var device = model.parameters().First().device;
        var stops = new HashSet<long>(options.StopTokenIds.Select(id => (long)id));
        if ((options.EosTokenId ?? model.Config.EosTokenId) is { } eos) stops.Add(eos);
        if (options.EosTokenId is null && model.Config is Models.Llama.LlamaConfig llama) stops.UnionWith(llama.EosTokenIds.Select(id => (long)id));
        // A seeded generator lives on the CPU (TorchSharp builds CPU generators), and seeded draws are made there.
        var random = options.Seed is { } seed ? new torch.Generator(seed: (ulong)seed) : null;
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
                    var tokens = Choose(logits, options, random).cpu().data<long>().ToArray();        // (B)
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
        return generated.Select((g, b) => new Sequence([.. g], ended[b], endTokens[b])).ToList();
    }

    /// <summary>The next token of each row: argmax at temperature 0, else a sample after top-k and top-p filtering.</summary>
    public static Tensor Choose(Tensor logits, GenerationOptions options, torch.Generator? random = null)
    {
        if (options.Temperature <= 0) return logits.argmax(-1);
        var scores = logits.to(ScalarType.Float32) / options.Temperature;
        if (options.TopK > 0 && options.TopK < scores.shape[^1])
        {
            var kth = scores.topk(options.TopK, -1).values.narrow(-1, options.TopK - 1, 1);    // (B, 1)
            scores = scores.masked_fill(scores.lt(kth), double.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = scores.sort(-1, descending: true);
            var cumulative = F.softmax(sorted, -1).cumsum(-1);
            // Drop a token when the tokens before it already reach top_p (the most likely token always stays).
            var drop = (cumulative - F.softmax(sorted, -1)).gt(options.TopP);
            scores = scores.scatter(-1, order, sorted.masked_fill(drop, double.NegativeInfinity));
        }
        var probabilities = F.softmax(scores, -1);
        // A seeded draw happens on the CPU, where the generator is: the same seed gives the same tokens on every device.
        if (random is not null && probabilities.device_type != DeviceType.CPU)
            return multinomial(probabilities.cpu(), 1, generator: random).squeeze(-1).to(logits.device);
        return multinomial(probabilities, 1, generator: random).squeeze(-1);
    }
}
