using static TorchSharp.torch;

namespace AlignLab.Training.Models;

/// <summary>A decoder-only language model with Hugging Face parameter names. Knows nothing of training.</summary>
public abstract class CausalLM(string name) : nn.Module(name)
{
    public abstract ModelConfig Config { get; }

    /// <summary>Whether passes with gradients keep only each layer's input and run the layer again in the backward pass
    /// (<see cref="LayerCheckpoint"/>): less activation memory for one more forward pass of compute.</summary>
    public abstract bool ActivationCheckpointing { get; set; }

    /// <summary>Sets the model's own dropout probabilities (those of its config.json) to 0, so that training passes are
    /// as deterministic as evaluation ones; LoRA adapters keep theirs. Architectures without dropout have nothing to do.</summary>
    public virtual void DisableDropout() { }

    private Exception? _checkpointError;

    /// <summary>The first error of a checkpointed layer's second run since the last call, or null. That run happens inside
    /// the backward pass, which cannot throw it; whoever calls backward on this model's loss rethrows it.</summary>
    public Exception? TakeCheckpointError() => Interlocked.Exchange(ref _checkpointError, null);

    /// <summary>Keeps the first error of a checkpointed layer's second run for <see cref="TakeCheckpointError"/>.</summary>
    protected void ReportCheckpointError(Exception error) => Interlocked.CompareExchange(ref _checkpointError, error, null);

    /// <summary>Final hidden states (B, T, hidden) of <paramref name="inputIds"/> (B, T).</summary>
    /// <param name="attentionMask">(B, past + T), 1 for real tokens and 0 for padding; null: all real.</param>
    /// <param name="positionIds">(B, T); null: past + 0 … past + T − 1.</param>
    /// <param name="cache">Earlier positions; this pass's keys and values are appended to it.</param>
    /// <param name="unpadded">The real tokens of right-padded rows (no cache): every layer but attention runs on those alone,
    /// and the hidden states at the padding are zeros.</param>
    public abstract Tensor Hidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null, Unpadding? unpadded = null);

    /// <summary>The <see cref="Unpadding"/> a pass uses: none when it leaves no position out; without shared prefixes when the
    /// pass draws dropout (each row's positions draw their own masks) or sharing is off. Refuses one of another shape than
    /// the pass's, or with a cache.</summary>
    protected Unpadding? ForPass(Unpadding? unpadded, long batch, long width, KvCache? cache)
    {
        if (unpadded is null) return null;
        if (cache is not null) throw new ArgumentException("an unpadded pass takes no KV cache", nameof(unpadded));
        if (unpadded.Batch != batch || unpadded.Width != width)
            throw new ArgumentException($"the unpadding is of {unpadded.Batch} × {unpadded.Width} tokens, the pass of {batch} × {width}", nameof(unpadded));
        if (unpadded.SharesPrefixes && !ComputesSharedPrefixesOnce()) unpadded = unpadded.Unshared;
        return unpadded.LeavesOut ? unpadded : null;
    }

    /// <summary>Whether passes may compute a prefix that rows share once (a run's share_prefixes); see <see cref="Unpadding"/>.</summary>
    public bool SharePrefixes { get; set; } = true;

    /// <summary>Whether a pass now computes a prefix that rows share once: <see cref="SharePrefixes"/>, and no dropout drawn.</summary>
    public bool ComputesSharedPrefixesOnce() => SharePrefixes && !DrawsDropout();

    /// <summary>Whether a pass now draws dropout masks: the model's own dropout in training mode (<see cref="OwnDropout"/>), or a
    /// LoRA adapter's.</summary>
    public bool DrawsDropout() => OwnDropout || modules().OfType<Adapters.LoraAdapter>().Any(a => a.training && a.Enabled && a.DropoutRate > 0);

    /// <summary>Whether the model's own dropout is on in a pass now (in training mode, with a probability above 0).</summary>
    protected virtual bool OwnDropout => false;

    /// <summary>Next-token logits (B, T, vocab) from hidden states.</summary>
    public abstract Tensor Logits(Tensor hidden);

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null) =>
        Logits(Hidden(inputIds, attentionMask, positionIds, cache));

    /// <param name="capacity">The most positions it will hold, when known (generation): its buffers are then allocated once.</param>
    public KvCache NewCache(long? capacity = null) => new(Config.Layers, capacity);

    /// <summary>Other names a checkpoint may use for one of this model's parameters (e.g. a bare base model
    /// saved without the "transformer." prefix).</summary>
    public virtual IEnumerable<string> CheckpointAliases(string parameterName) => [];

    /// <summary>Checkpoint tensors this model has no use for and that loading may skip (tied heads, cached masks).</summary>
    public virtual bool IsIgnorableCheckpointTensor(string name) => false;

    /// <summary>Additive attention mask (B, 1, T, past + T): 0 where a query may attend, the dtype's minimum
    /// elsewhere. A query always sees itself, so rows of padding never become all-masked (no NaN).</summary>
    /// <param name="window">A sliding window: a query sees only the keys less than this many positions back (Mistral).</param>
    public static Tensor AttentionBias(Tensor? attentionMask, long batch, long queryLength, long pastLength, ScalarType dtype, Device device,
        long? window = null)
    {
        var keyLength = pastLength + queryLength;
        if (queryLength == 1 && window is null && attentionMask is not null)
            return DecodeBias(attentionMask, batch, keyLength, dtype);
        var queries = arange(pastLength, keyLength, device: device).unsqueeze(1);   // (T, 1)
        var keys = arange(keyLength, device: device).unsqueeze(0);                  // (1, Tk)
        var allowed = keys.le(queries);                                              // (T, Tk)
        if (window is { } w) allowed = allowed.logical_and(queries.sub(keys).lt(w));
        allowed = allowed.unsqueeze(0).unsqueeze(0);                                 // (1, 1, T, Tk)
        if (attentionMask is not null)
            allowed = allowed.logical_and(attentionMask.to(ScalarType.Bool).reshape(batch, 1, 1, keyLength));
        allowed = allowed.logical_or(keys.eq(queries).unsqueeze(0).unsqueeze(0));
        return zeros(allowed.shape, dtype: dtype, device: device).masked_fill(allowed.logical_not(), MinimumOf(dtype))
            .expand(batch, 1, queryLength, keyLength);
    }

    /// <summary>The bias of one new token per row (a generation step): the query is the last key and sees every earlier
    /// key, so only the padding is masked. Six operations where the general case takes about twenty.</summary>
    private static Tensor DecodeBias(Tensor attentionMask, long batch, long keyLength, ScalarType dtype)
    {
        var bias = zeros(batch, 1, 1, keyLength, dtype: dtype, device: attentionMask.device)
            .masked_fill(attentionMask.reshape(batch, 1, 1, keyLength).eq(0), MinimumOf(dtype));
        bias.narrow(3, keyLength - 1, 1).zero_();                                    // a query always sees itself
        return bias;
    }

    private static double MinimumOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.38e38,
        ScalarType.Float64 => double.MinValue,
        _ => float.MinValue,
    };

    /// <summary>Positions of the tokens of a pass: with padding, the count of real tokens before each (as
    /// Hugging Face's generation computes them), so left padding does not shift a sequence's positions.</summary>
    public static Tensor PositionIds(Tensor? attentionMask, long batch, long queryLength, long pastLength, Device device)
    {
        if (attentionMask is null)
            return arange(pastLength, pastLength + queryLength, dtype: ScalarType.Int64, device: device).unsqueeze(0).expand(batch, queryLength);
        var positions = attentionMask.to(ScalarType.Int64).cumsum(1).sub(1).clamp_min(0);
        return positions.narrow(1, pastLength, queryLength);
    }
}
