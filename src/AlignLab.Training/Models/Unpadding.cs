using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>The real tokens of a right-padded batch, each row's first <c>length</c> columns, for a pass whose token-wise
/// layers (embeddings, projections, MLP, norms) run on those tokens alone, with only attention in the padded layout
/// (FlashAttention's unpad_input and pad_input; TRL's padding-free training). Real positions get what the padded pass gives
/// them: under causal attention a real token never sees the padding after it, and its position is its column either way.
/// Padding then costs attention only, not every matmul.
/// Built on the host from the lengths, so nothing waits for the device; the index belongs to whoever disposes this.</summary>
public sealed class Unpadding : IDisposable
{
    private Unpadding(Tensor index, long batch, long width) => (Index, Batch, Width) = (index, batch, width);

    /// <summary>(N) Int64: the real tokens' flat positions in the (B · T) layout, row after row.</summary>
    public Tensor Index { get; }
    public long Batch { get; }
    public long Width { get; }
    public long Tokens => Index.shape[0];

    /// <param name="lengths">Each row's real tokens (at most <paramref name="width"/>).</param>
    public static Unpadding Of(IReadOnlyList<int> lengths, long width, Device device)
    {
        if (lengths.Any(l => l < 0 || l > width)) throw new ArgumentOutOfRangeException(nameof(lengths), $"a row holds 0 to {width} real tokens");
        var index = new long[lengths.Sum()];
        var next = 0;
        for (int b = 0; b < lengths.Count; b++)
            for (int t = 0; t < lengths[b]; t++) index[next++] = b * width + t;
        return new Unpadding(tensor(index, device: device), lengths.Count, width);
    }

    /// <summary>The real tokens when some row is padded; null when every row fills the width (nothing to leave out).</summary>
    public static Unpadding? IfPadded(IReadOnlyList<int> lengths, long width, Device device) =>
        lengths.All(l => l == width) ? null : Of(lengths, width, device);

    /// <summary>(B, T, …) to the real tokens' (N, …).</summary>
    public Tensor Gather(Tensor padded) => padded.reshape([Batch * Width, .. padded.shape[2..]]).index_select(0, Index);

    /// <summary>(N, …) back to (B, T, …), zeros at the padding.</summary>
    public Tensor Scatter(Tensor packed)
    {
        long[] rest = packed.shape[1..];
        return zeros([Batch * Width, .. rest], packed.dtype, packed.device).index_copy(0, Index, packed).view([Batch, Width, .. rest]);
    }

    public void Dispose() => Index.Dispose();
}
