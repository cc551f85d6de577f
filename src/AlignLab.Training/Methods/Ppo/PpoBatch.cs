using AlignLab.Training.Batching;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Rollouts as right-padded rows of prompt + response, with the response mask and each response token's
/// score from the reward source at its position, each row's length (prompt + response) and its prompt's length. No
/// attention mask: passes over right-padded rows need none (<see cref="Inference.TokenLogProbs.OfResponses(Models.CausalLM, Tensor, Tensor, Models.Unpadding, bool)"/>).</summary>
public sealed record PpoBatch(Tensor InputIds, Tensor ResponseMask, Tensor Scores, int[] PromptLengths, int[][] RowTokens)
{
    /// <summary>Each rollout's real tokens (prompt + response).</summary>
    public int[] Lengths { get; } = [.. RowTokens.Select(r => r.Length)];

    /// <summary>The rollouts' real tokens.</summary>
    public long Tokens => Lengths.Sum();

    public static PpoBatch Build(IReadOnlyList<PpoSample> samples, IReadOnlyList<double[]> scores, int padTokenId, Device device)
    {
        for (int b = 0; b < samples.Count; b++)
            if (scores[b].Length != samples[b].Response.Length)
                throw new InvalidOperationException($"the reward source scored {scores[b].Length} tokens of a {samples[b].Response.Length}-token response");
        var rows = samples.Select(s => (s.Prompt, s.Response)).ToList();
        var batch = ResponseBatch.Pad(rows, padTokenId, device);
        return new PpoBatch(batch.InputIds, batch.ResponseMask, batch.Spread(rows, (b, k) => scores[b][k]), batch.PromptLengths, batch.RowTokens);
    }

    /// <summary>What picks rows <paramref name="rows"/> of a (B, T, …) tensor, cut after the longest of them: the later
    /// columns are padding in each of those rows (rows are right-padded), which a causal model never reads, so a minibatch
    /// costs its own longest rollout instead of the batch's. The same computation, up to dropout, whose masks are then
    /// drawn over fewer columns. Its index tensor belongs to the caller's dispose scope.</summary>
    public Func<Tensor, Tensor> Rows(IReadOnlyList<int> rows)
    {
        var index = tensor(rows.Select(i => (long)i).ToArray(), device: InputIds.device);
        var columns = rows.Max(i => Lengths[i]);
        return x => x.index_select(0, index).narrow(1, 0, columns);
    }

    /// <summary>Where the real and the response tokens of rows <paramref name="rows"/> are in a pass <paramref name="width"/>
    /// columns wide (null: cut at their longest, as <see cref="Rows"/> cuts them), with the prefixes they share.</summary>
    public Models.Unpadding Unpadded(IReadOnlyList<int> rows, long? width = null) =>
        Models.Unpadding.Of([.. rows.Select(i => Lengths[i])], width ?? rows.Max(i => Lengths[i]), InputIds.device, [.. rows.Select(i => PromptLengths[i])],
            [.. rows.Select(i => RowTokens[i])]);

    /// <summary>x shifted one position to the right along dim 1 with 0 in front: the value of the state before token t
    /// is the critic's output at position t − 1.</summary>
    public static Tensor ShiftRight(Tensor x) => cat([zeros_like(x.narrow(1, 0, 1)), x.narrow(1, 0, x.shape[1] - 1)], 1);
}
