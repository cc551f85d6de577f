using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>Where the real tokens of a right-padded batch are (each row's first <c>length</c> columns) and, with the rows'
/// prompt lengths, which positions predict a response token. For passes that skip the padding:
/// <list type="bullet">
/// <item>the model's token-wise layers (embeddings, projections, MLP, norms) run on the real tokens alone, attention alone in
/// the padded layout (FlashAttention's unpad_input and pad_input; TRL's padding-free training). Real positions get what the
/// padded pass gives them: under causal attention a real token never sees the padding after it, and its position is its
/// column either way;</item>
/// <item>the output head and the log-softmax run on the positions that predict a response token alone
/// (<see cref="Inference.TokenLogProbs"/>), not on prompts or padding.</item>
/// </list>
/// Built on the host from the lengths, so nothing waits for the device; its indices belong to whoever disposes this.</summary>
public sealed class Unpadding : IDisposable
{
    private Unpadding(Tensor index, Tensor? predicting, long batch, long width) => (Index, Predicting, Batch, Width) = (index, predicting, batch, width);

    /// <summary>(N) Int64: the real tokens' flat positions in the (B · T) layout, row after row.</summary>
    public Tensor Index { get; }
    /// <summary>(R) Int64: the flat positions whose hidden state predicts a response token (row b's columns from its prompt
    /// length − 1 to its length − 2; column 0 predicts nothing), row after row; null without prompt lengths.</summary>
    public Tensor? Predicting { get; }
    public long Batch { get; }
    public long Width { get; }
    public long Tokens => Index.shape[0];

    /// <summary>Whether some row is padded (otherwise a model pass has nothing to leave out).</summary>
    public bool Padded => Tokens < Batch * Width;

    /// <param name="lengths">Each row's real tokens (at most <paramref name="width"/>).</param>
    /// <param name="promptLengths">Each row's prompt (its response is the rest of its real tokens).</param>
    public static Unpadding Of(IReadOnlyList<int> lengths, long width, Device device, IReadOnlyList<int>? promptLengths = null)
    {
        if (lengths.Any(l => l < 0 || l > width)) throw new ArgumentOutOfRangeException(nameof(lengths), $"a row holds 0 to {width} real tokens");
        if (promptLengths is not null && (promptLengths.Count != lengths.Count || promptLengths.Where((p, b) => p < 0 || p > lengths[b]).Any()))
            throw new ArgumentOutOfRangeException(nameof(promptLengths), "each row needs a prompt of 0 to its length tokens");
        var index = new List<long>(lengths.Sum());
        var predicting = new List<long>();
        for (int b = 0; b < lengths.Count; b++)
        {
            for (int t = 0; t < lengths[b]; t++) index.Add(b * width + t);
            if (promptLengths is not null)
                for (int t = Math.Max(promptLengths[b], 1) - 1; t < lengths[b] - 1; t++) predicting.Add(b * width + t);
        }
        return new Unpadding(tensor(index.ToArray(), device: device), promptLengths is null ? null : tensor(predicting.ToArray(), device: device),
            lengths.Count, width);
    }

    /// <summary>(B, T, …) to the real tokens' (N, …).</summary>
    public Tensor Gather(Tensor padded) => padded.reshape([Batch * Width, .. padded.shape[2..]]).index_select(0, Index);

    /// <summary>(N, …) back to (B, T, …), zeros at the padding.</summary>
    public Tensor Scatter(Tensor packed)
    {
        long[] rest = packed.shape[1..];
        return zeros([Batch * Width, .. rest], packed.dtype, packed.device).index_copy(0, Index, packed).view([Batch, Width, .. rest]);
    }

    public void Dispose()
    {
        Index.Dispose();
        Predicting?.Dispose();
    }
}
