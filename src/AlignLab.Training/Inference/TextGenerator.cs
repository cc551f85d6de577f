using AlignLab.Core.Ppo;
using AlignLab.Training.Models;
using F = TorchSharp.torch.nn.functional;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>Batched sampling with a KV cache. Prompts are left-padded to one length and run once; then one token per row
/// and step attends to the cache. What a step does is kept to the model's forward pass and the draw:
/// <list type="bullet">
/// <item>the cache, the attention mask and the drawn tokens live in buffers allocated once for the longest sequence;</item>
/// <item>stop tokens are found on the device, and the host looks only every <see cref="StopCheckInterval"/> steps whether
/// every row has stopped (the few extra steps after that are discarded);</item>
/// <item>each new token's position is its row's prompt length plus the step, not a cumulative sum over the mask;</item>
/// <item>the pass runs in inference mode (no autograd bookkeeping on any of its tensors);</item>
/// <item>a sampled token takes one uniform per row (<see cref="Draw"/>), not one random number per vocabulary entry;</item>
/// <item>on CUDA, seeded draws use the device's generator (<see cref="SeededDraws"/>), not a copy to the host per token;</item>
/// <item>rows that have stopped leave the batch, with their KV cache, at the host's look every
/// <see cref="StopCheckInterval"/> steps once they are an eighth of it (<see cref="RowsInFlight"/>): steps compute the
/// rows still generating, not every row until the longest one ends.</item>
/// </list>
/// A row that emits a stop token is finished: it is fed padding from then on and its tokens after the stop are dropped.
/// For a fixed seed it gives the tokens of <see cref="StepwiseGenerator"/>, the path it replaced.
/// With <see cref="GenerationOptions.BatchSize"/>, the prompts are generated in passes of that many, shortest first.</summary>
public static class TextGenerator
{
    /// <summary>Steps between two looks from the host at whether every row has stopped.</summary>
    public const int StopCheckInterval = 8;

    /// <param name="EndToken">The stop token that ended the sequence (not part of <paramref name="Tokens"/>).</param>
    public sealed record Sequence(int[] Tokens, bool EndedWithEos, int? EndToken = null);

    public static IReadOnlyList<Sequence> Generate(CausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token");
        using var random = SeededDraws(model.parameters().First().device, options.Seed);
        var perPass = GenerationPasses.RowsPerPass(options.BatchSize, prompts.Count);
        if (perPass == prompts.Count) return GeneratePass(model, prompts, options, random);

        // Passes of at most BatchSize prompts of similar length (sorted by length, so that each pass pads the least), all
        // drawing from the one seeded stream; the sequences come back in the prompts' order.
        var byLength = Enumerable.Range(0, prompts.Count).OrderBy(i => prompts[i].Length).ToArray();
        var sequences = new Sequence[prompts.Count];
        foreach (var pass in byLength.Chunk(perPass))
        {
            var generated = GeneratePass(model, [.. pass.Select(i => prompts[i])], options, random);
            for (int j = 0; j < pass.Length; j++) sequences[pass[j]] = generated[j];
        }
        return sequences;
    }

    /// <summary>One pass: every prompt in one batch.</summary>
    private static IReadOnlyList<Sequence> GeneratePass(CausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options, torch.Generator? random)
    {
        var device = model.parameters().First().device;
        var stops = StopTokens(model, options);
        int batch = prompts.Count, promptLength = prompts.Max(p => p.Length);
        var limit = Math.Max(0, Math.Min(options.MaxNewTokens, model.Config.MaxPositions - promptLength));
        if (limit == 0) return [.. prompts.Select(_ => new Sequence([], false))];

        // Left-padded prompts, and the mask of every position the longest sequence can reach: the prompt's padding is 0,
        // each new token 1.
        var width = promptLength + limit;
        var ids = new long[batch * promptLength];
        var maskValues = new long[batch * width];
        var promptLengths = new long[batch];
        for (int b = 0; b < batch; b++)
        {
            promptLengths[b] = prompts[b].Length;
            for (int column = 0; column < promptLength; column++)
            {
                var i = column - (promptLength - prompts[b].Length);
                ids[b * promptLength + column] = i >= 0 ? prompts[b][i] : options.PadTokenId;
                maskValues[b * width + column] = i >= 0 ? 1 : 0;
            }
            for (int column = promptLength; column < width; column++) maskValues[b * width + column] = 1;
        }

        using var evaluating = EvalMode.Enter(model);
        // Inference mode rather than only no_grad: tensors without version counters or autograd bookkeeping (a demo rollout
        // of 16 × 100 tokens took 400 ms against 445 ms, method-throughput.md). Nothing made here leaves the pass but host arrays.
        using var inference = inference_mode();
        using var cache = model.NewCache(capacity: width);
        using var stopIds = tensor(stops, device: device);
        using var drawn = full([batch, limit], options.PadTokenId, dtype: ScalarType.Int64, device: device);
        using var rows = new RowsInFlight(tensor(maskValues, [batch, width], device: device), tensor(promptLengths, [batch, 1], device: device),
            tensor(ids, [batch, promptLength], device: device));
        var steps = 0;
        for (int step = 0; step < limit; step++)
        {
            using var scope = NewDisposeScope();
            var logits = step == 0
                ? model.Forward(rows.Next, rows.Mask.narrow(1, 0, promptLength), cache: cache)
                : model.Forward(rows.Next, rows.Mask.narrow(1, 0, promptLength + step), rows.PromptLengths + (step - 1), cache);
            // Uniforms are drawn for every row of the pass, in flight or not, so that a row's draws do not depend on which
            // rows have left: the tokens of the path without departures.
            var tokens = Choose(logits.select(1, -1), options, () => rows.OfPass(Uniforms(batch, random, device)))
                .masked_fill(rows.Ended, options.PadTokenId);                                                   // (R)
            rows.WriteInto(drawn.select(1, step), tokens);
            if (stops.Length > 0) rows.Ended.logical_or_(tokens.unsqueeze(1).eq(stopIds.unsqueeze(0)).any(1));
            rows.Next = tokens.unsqueeze(1).DetachFromDisposeScope();
            steps = step + 1;
            if (steps % StopCheckInterval == 0 && rows.DropStopped(cache)) break;
        }

        // One copy to the host; each row is cut at its first stop token.
        var host = drawn.narrow(1, 0, steps).cpu().data<long>().ToArray();
        var stopSet = new HashSet<long>(stops);
        var sequences = new List<Sequence>(batch);
        for (int b = 0; b < batch; b++)
        {
            var row = host.AsSpan(b * steps, steps);
            var end = -1;
            for (int i = 0; i < row.Length && end < 0; i++) if (stopSet.Contains(row[i])) end = i;
            sequences.Add(end < 0
                ? new Sequence([.. row.ToArray().Select(t => (int)t)], false)
                : new Sequence([.. row[..end].ToArray().Select(t => (int)t)], true, (int)row[end]));
        }
        return sequences;
    }

    /// <summary>The tokens that end a sequence: the options' EOS (else the config's; a Llama config may list several) and
    /// the options' further stop tokens.</summary>
    public static long[] StopTokens(CausalLM model, GenerationOptions options)
    {
        var stops = new HashSet<long>(options.StopTokenIds.Select(id => (long)id));
        if ((options.EosTokenId ?? model.Config.EosTokenId) is { } eos) stops.Add(eos);
        if (options.EosTokenId is null && model.Config is Models.Llama.LlamaConfig llama) stops.UnionWith(llama.EosTokenIds.Select(id => (long)id));
        return [.. stops.Order()];
    }

    /// <summary>Where a seeded generation draws: on the CPU from a generator of its own (TorchSharp builds generators on the
    /// CPU only); on CUDA from the device's generator, reseeded with the seed, so that the draws stay on the device (no
    /// copy of the probabilities to the host per token) and a seed gives the same tokens on the same kind of device.
    /// Null (and no reseeding) without a seed.</summary>
    public static torch.Generator? SeededDraws(Device device, long? seed)
    {
        if (seed is not { } s) return null;
        if (device.type != DeviceType.CUDA) return new torch.Generator(seed: (ulong)s);
        cuda.manual_seed(s);
        return null;
    }

    /// <summary>The next token of each row: argmax at temperature 0, else a sample after top-k and top-p filtering, with one
    /// uniform per row drawn from <paramref name="random"/> (the default generator when null).</summary>
    public static Tensor Choose(Tensor logits, GenerationOptions options, torch.Generator? random = null) =>
        Choose(logits, options, () => Uniforms(logits.shape[0], random, logits.device));

    /// <summary>The next token of each row, sampling with the (B, 1) uniforms that <paramref name="uniforms"/> gives (called
    /// only when sampling).</summary>
    public static Tensor Choose(Tensor logits, GenerationOptions options, Func<Tensor> uniforms)
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
        return Draw(F.softmax(scores, -1), uniforms());
    }

    /// <summary>(rows, 1) uniforms on <paramref name="device"/>. A CPU generator draws on the CPU (a caller's own; generation's
    /// seeded draws on CUDA use the device's generator), and only the uniforms move to the device.</summary>
    public static Tensor Uniforms(long rows, torch.Generator? random, Device device) =>
        rand([rows, 1], generator: random, device: random is not null ? CPU : device).to(device);

    /// <summary>One token per row by inverse transform sampling: the first token whose cumulative probability exceeds the
    /// row's uniform (scaled by the row's total, so that float rounding of the sum cannot run past the last token). A token
    /// of probability 0 is never drawn. It takes one random number per row where multinomial takes one per vocabulary entry
    /// (246 µs against 41 µs for 16 rows of 640 on the CPU; `op-costs` in bench/).</summary>
    /// <param name="probabilities">(B, V), each row summing to 1 up to rounding.</param>
    /// <param name="uniforms">(B, 1) in [0, 1).</param>
    /// <returns>(B) Int64 token ids.</returns>
    public static Tensor Draw(Tensor probabilities, Tensor uniforms)
    {
        var cumulative = probabilities.cumsum(-1);                                          // (B, V)
        var threshold = uniforms.mul(cumulative.narrow(-1, cumulative.shape[^1] - 1, 1));     // (B, 1)
        return cumulative.le(threshold).sum(-1);                                             // Bool sums to Int64
    }
}
