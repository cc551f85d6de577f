using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Batching;

/// <summary>Rows of prompt followed by response, right-padded: ids (Int64) and the mask of response tokens (Float32), each
/// (B, T), with each row's tokens, real tokens and prompt (<see cref="RowTokens"/>, <see cref="Lengths"/>,
/// <see cref="PromptLengths"/>) known on the host. Every method's batches start from this; <see cref="Spread"/> places
/// per-response-token values (FIGA weights, changed-token flags, rewards) at their positions; <see cref="Unpadded"/> says
/// where the real and response tokens are for passes, which need no attention mask.</summary>
public sealed record ResponseBatch(Tensor InputIds, Tensor ResponseMask, int[] PromptLengths, int[][] RowTokens)
{
    public long Length => InputIds.shape[1];

    /// <summary>Each row's real tokens.</summary>
    public int[] Lengths { get; } = [.. RowTokens.Select(r => r.Length)];

    /// <summary>The batch's real tokens.</summary>
    public long Tokens => Lengths.Sum();

    /// <summary>Where the real tokens and the response tokens are, for a pass that skips the padding and computes a prefix
    /// that rows share once (<see cref="Unpadding"/>).</summary>
    public Unpadding Unpadded() => Unpadding.Of(Lengths, Length, InputIds.device, PromptLengths, RowTokens);

    /// <summary>The same for rows <paramref name="rows"/> in a pass <paramref name="width"/> columns wide (null: cut at their
    /// longest, as <see cref="Rows"/> cuts them).</summary>
    public Unpadding Unpadded(IReadOnlyList<int> rows, long? width = null) =>
        Unpadding.Of([.. rows.Select(i => Lengths[i])], width ?? rows.Max(i => Lengths[i]), InputIds.device, [.. rows.Select(i => PromptLengths[i])],
            [.. rows.Select(i => RowTokens[i])]);

    /// <summary>What picks rows <paramref name="rows"/> of a (B, T, …) tensor, cut after the longest of them: the later
    /// columns are padding in each of those rows (rows are right-padded), which a causal model never reads, so a minibatch
    /// costs its own longest row instead of the batch's. The same computation, up to dropout, whose masks are then drawn
    /// over fewer columns. Its index tensor belongs to the caller's dispose scope.</summary>
    public Func<Tensor, Tensor> Rows(IReadOnlyList<int> rows)
    {
        var index = tensor(rows.Select(i => (long)i).ToArray(), device: InputIds.device);
        var columns = rows.Max(i => Lengths[i]);
        return x => x.index_select(0, index).narrow(1, 0, columns);
    }

    /// <summary>(B, T) Int64, 1 at real tokens: the padding mask, made on each call (no pass needs it; a padded pass with a
    /// mask is what the unpadded ones are checked against).</summary>
    public Tensor AttentionMask() => arange(Length, device: InputIds.device).unsqueeze(0).lt(tensor(Lengths, device: InputIds.device).unsqueeze(1))
        .to(ScalarType.Int64);

    public static ResponseBatch Pad(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int padTokenId, Device device)
    {
        var length = rows.Max(e => e.Prompt.Length + e.Response.Length);
        var ids = new long[rows.Count * length];
        var response = new float[ids.Length];
        Array.Fill(ids, padTokenId);
        for (int b = 0; b < rows.Count; b++)
        {
            var (prompt, answer) = rows[b];
            for (int i = 0; i < prompt.Length + answer.Length; i++)
            {
                ids[b * length + i] = i < prompt.Length ? prompt[i] : answer[i - prompt.Length];
                response[b * length + i] = i < prompt.Length ? 0 : 1;
            }
        }
        long[] shape = [rows.Count, length];
        return new ResponseBatch(tensor(ids, shape, device: device), tensor(response, shape, device: device),
            [.. rows.Select(r => r.Prompt.Length)], [.. rows.Select(r => (int[])[.. r.Prompt, .. r.Response])]);
    }

    /// <summary>(B, T) Float32: <paramref name="value"/>(row, k) at the position of row's k-th response token, 0 elsewhere.</summary>
    public Tensor Spread(IReadOnlyList<(int[] Prompt, int[] Response)> rows, Func<int, int, double> value)
    {
        var length = Length;
        var values = new float[rows.Count * length];
        for (int b = 0; b < rows.Count; b++)
            for (int k = 0; k < rows[b].Response.Length; k++)
                values[b * length + rows[b].Prompt.Length + k] = (float)value(b, k);
        return tensor(values, [rows.Count, length], device: InputIds.device);
    }
}
