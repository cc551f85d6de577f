using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>Where the real tokens of a right-padded batch are (each row's first <c>length</c> columns) and, with the rows'
/// prompt lengths, which positions predict a response token. For passes that skip the padding:
/// <list type="bullet">
/// <item>the model's token-wise layers (embeddings, projections, MLP, norms) run on the real tokens alone, attention alone in
/// the padded layout (FlashAttention's unpad_input and pad_input; TRL's padding-free training). Real positions get what the
/// padded pass gives them: under causal attention a real token never sees the padding after it, and its position is its
/// column either way;</item>
/// <item>with the rows' tokens, a prefix that several rows begin with (a FIGA pair's prompt, a template's system text, the
/// question of multiple-choice options) runs through the token-wise layers once: under causal attention a position's
/// hidden states depend only on the tokens up to it, so rows that agree up to a position agree there too (prefix
/// sharing, as "Accelerating Direct Preference Optimization with Prefix Sharing" does for preference pairs). Each padded
/// position reads its packed token (<see cref="Place"/>), and the gradient of a shared token sums its rows'. Not for a
/// pass that draws dropout, whose masks differ by row: the model then takes <see cref="Unshared"/>;</item>
/// <item>the output head and the log-softmax run on the positions that predict a response token alone
/// (<see cref="Inference.TokenLogProbs"/>), not on prompts or padding.</item>
/// </list>
/// Built on the host from the lengths (and tokens), so nothing waits for the device; its indices belong to whoever
/// disposes this.</summary>
public sealed class Unpadding : IDisposable
{
    private readonly int[] _lengths;
    private readonly Unpadding? _unshared;

    private Unpadding(Tensor index, Tensor? place, Tensor? predicting, int[] lengths, long width, Tensor? unsharedIndex = null)
    {
        (Index, Place, Predicting, _lengths, Width) = (index, place, predicting, lengths, width);
        if (unsharedIndex is not null) _unshared = new Unpadding(unsharedIndex, null, predicting, lengths, width);
    }

    /// <summary>(N) Int64: the flat positions in the (B · T) layout of the tokens the token-wise layers compute, row after
    /// row: each row's real tokens, less those of a prefix that an earlier row holds.</summary>
    public Tensor Index { get; }
    /// <summary>(B · T) Int64 when rows share a prefix: the packed token each position reads (N, one past the last, for the
    /// padding, which reads zeros). Null otherwise: each real position then has a packed token of its own.</summary>
    public Tensor? Place { get; }
    /// <summary>(R) Int64: the flat positions whose hidden state predicts a response token (row b's columns from its prompt
    /// length − 1 to its length − 2; column 0 predicts nothing), row after row; null without prompt lengths.</summary>
    public Tensor? Predicting { get; }
    public long Batch => _lengths.Length;
    public long Width { get; }
    /// <summary>Tokens the token-wise layers compute.</summary>
    public long Tokens => Index.shape[0];
    /// <summary>Real tokens of the rows (what <see cref="Tokens"/> is without shared prefixes).</summary>
    public long RealTokens => _lengths.Sum();

    /// <summary>Whether some row shares a prefix with an earlier one (a pass that draws dropout must not use this layout).</summary>
    public bool SharesPrefixes => Place is not null;

    /// <summary>Whether a model pass computes fewer than B · T positions: some row is padded or shares a prefix.</summary>
    public bool LeavesOut => Tokens < Batch * Width;

    /// <summary>The same rows with every real token computed in its own row: for a pass that draws dropout. This one when
    /// no prefix is shared. Made with this (in the same dispose scope, whichever pass asks for it) and disposed with it.</summary>
    public Unpadding Unshared => _unshared ?? this;

    /// <param name="lengths">Each row's real tokens (at most <paramref name="width"/>).</param>
    /// <param name="promptLengths">Each row's prompt (its response is the rest of its real tokens).</param>
    /// <param name="tokens">Each row's tokens (at least its length of them): a prefix that rows share is then computed once.</param>
    public static Unpadding Of(IReadOnlyList<int> lengths, long width, Device device, IReadOnlyList<int>? promptLengths = null,
        IReadOnlyList<int[]>? tokens = null)
    {
        if (lengths.Any(l => l < 0 || l > width)) throw new ArgumentOutOfRangeException(nameof(lengths), $"a row holds 0 to {width} real tokens");
        if (promptLengths is not null && (promptLengths.Count != lengths.Count || promptLengths.Where((p, b) => p < 0 || p > lengths[b]).Any()))
            throw new ArgumentOutOfRangeException(nameof(promptLengths), "each row needs a prompt of 0 to its length tokens");
        if (tokens is not null && (tokens.Count != lengths.Count || tokens.Where((t, b) => t.Length < lengths[b]).Any()))
            throw new ArgumentOutOfRangeException(nameof(tokens), "each row needs at least its length of tokens");

        var predicting = promptLengths is null ? null : tensor(PredictingPositions(lengths, promptLengths, width), device: device);
        if (tokens is null) return new Unpadding(tensor(RealPositions(lengths, width), device: device), null, predicting, [.. lengths], width);

        // The packed tokens are the nodes of a prefix tree of the rows: a position takes the packed token of (the packed token
        // before it in its row, its own token id) if an earlier row made one, else a new one. The padding reads N, a zero row.
        var index = new List<long>(lengths.Sum());
        var place = new long[lengths.Count * width];
        var nodes = new Dictionary<(long Before, int Token), long>();
        for (int b = 0; b < lengths.Count; b++)
        {
            long before = -1;
            for (int t = 0; t < lengths[b]; t++)
            {
                if (!nodes.TryGetValue((before, tokens[b][t]), out var packed))
                {
                    nodes[(before, tokens[b][t])] = packed = index.Count;
                    index.Add(b * width + t);
                }
                place[b * width + t] = before = packed;
            }
            for (int t = lengths[b]; t < width; t++) place[b * width + t] = -1;
        }
        if (index.Count == lengths.Sum())
            return new Unpadding(tensor(index.ToArray(), device: device), null, predicting, [.. lengths], width);
        for (int i = 0; i < place.Length; i++) if (place[i] < 0) place[i] = index.Count;
        return new Unpadding(tensor(index.ToArray(), device: device), tensor(place, device: device), predicting, [.. lengths], width,
            tensor(RealPositions(lengths, width), device: device));
    }

    /// <summary>The flat positions whose hidden state predicts a response token: row b's columns from its prompt length − 1
    /// to its length − 2.</summary>
    private static long[] PredictingPositions(IReadOnlyList<int> lengths, IReadOnlyList<int> promptLengths, long width) =>
        [.. lengths.SelectMany((length, b) => Enumerable.Range(Math.Max(promptLengths[b], 1) - 1, Math.Max(0, length - Math.Max(promptLengths[b], 1)))
            .Select(t => b * width + t))];

    /// <summary>Each row's real positions in the (B · T) layout, row after row: the packed tokens when none is shared.</summary>
    private static long[] RealPositions(IReadOnlyList<int> lengths, long width) =>
        [.. lengths.SelectMany((length, b) => Enumerable.Range(0, length).Select(t => b * width + t))];

    /// <summary>(B, T, …) to the packed tokens' (N, …).</summary>
    public Tensor Gather(Tensor padded) => padded.reshape([Batch * Width, .. padded.shape[2..]]).index_select(0, Index);

    /// <summary>(N, …) back to (B, T, …): each position its packed token (a shared one in every row that shares it), zeros at
    /// the padding.</summary>
    public Tensor Scatter(Tensor packed)
    {
        long[] rest = packed.shape[1..];
        var flat = Place is null
            ? zeros([Batch * Width, .. rest], packed.dtype, packed.device).index_copy(0, Index, packed)
            : cat([packed, zeros([1, .. rest], packed.dtype, packed.device)], 0).index_select(0, Place);
        return flat.view([Batch, Width, .. rest]);
    }

    public void Dispose()
    {
        Index.Dispose();
        Place?.Dispose();
        Predicting?.Dispose();
        _unshared?.Index.Dispose();
    }
}
