using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Models.Deberta;

// Disentangled attention (He et al. 2021, "DeBERTa", §3.1; v3's log buckets from DeBERTa-v2) as transformers'
// modeling_deberta_v2 computes it. Shapes: B batch, T positions, C hidden, H heads, D head dim, S att_span
// (the relative embeddings cover 2S buckets).

/// <summary>Relative positions of queries to keys, bucketed as make_log_bucket_position / build_relative_position do.</summary>
public static class DebertaRelativePosition
{
    /// <summary>Distances below bucketSize / 2 (mid) keep their value; farther ones map to
    /// sign · (mid + ceil(log(|d| / mid) / log((maxPosition − 1) / mid) · (mid − 1))), so |d| = maxPosition − 1 lands on
    /// 2 · mid − 1. In float32, as transformers computes it (the ceil sees float32 logs).</summary>
    public static Tensor MakeLogBucketPosition(Tensor relativePos, int bucketSize, int maxPosition)
    {
        var sign = relativePos.sign();
        var mid = bucketSize / 2;
        var inner = relativePos.lt(mid).logical_and(relativePos.gt(-mid));
        var absPos = where(inner, full_like(relativePos, mid - 1), relativePos.abs()).to(ScalarType.Float32);
        var logBase = tensor((maxPosition - 1) / (double)mid, ScalarType.Float32, relativePos.device).log();
        var logPos = absPos.div(mid).log().div(logBase).mul(mid - 1).ceil().add(mid);
        return where(absPos.le(mid), relativePos.to(ScalarType.Float32), logPos.mul(sign)).to(ScalarType.Int64);
    }

    /// <summary>(T, T) relative positions query − key, log-bucketed when the config has position buckets.</summary>
    public static Tensor Build(long length, DebertaV2Config config, Device device)
    {
        var ids = arange(length, dtype: ScalarType.Int64, device: device);
        var relative = ids.unsqueeze(1) - ids.unsqueeze(0);                                          // (T, T)
        return config.position_buckets > 0 ? MakeLogBucketPosition(relative, config.position_buckets, config.MaxRelativePositions) : relative;
    }
}

/// <summary>DisentangledSelfAttention: content-to-content plus content-to-position (c2p) and position-to-content (p2c)
/// scores, all divided by sqrt(D · scale factor). Position keys/queries are the relative embeddings projected by
/// key_proj/query_proj (share_att_key) or by their own pos_key_proj/pos_query_proj.</summary>
public sealed class DisentangledSelfAttention : nn.Module
{
    private readonly Linear query_proj, key_proj, value_proj;
    private readonly Linear? pos_key_proj, pos_query_proj;
    private readonly Dropout pos_dropout, dropout;
    private readonly int _heads, _headDim, _span;
    private readonly bool _c2p, _p2c;
    private readonly double _scale;

    public DisentangledSelfAttention(DebertaV2Config config) : base(nameof(DisentangledSelfAttention))
    {
        (_heads, _headDim, _span, _c2p, _p2c) = (config.num_attention_heads, config.HeadDim, config.AttentionSpan, config.ContentToPosition, config.PositionToContent);
        _scale = Math.Sqrt(_headDim * config.ScaleFactor);
        var C = config.hidden_size;
        query_proj = nn.Linear(C, C);
        key_proj = nn.Linear(C, C);
        value_proj = nn.Linear(C, C);
        if (!config.share_att_key)
        {
            if (_c2p) pos_key_proj = nn.Linear(C, C);
            if (_p2c) pos_query_proj = nn.Linear(C, C);
        }
        pos_dropout = nn.Dropout(config.hidden_dropout_prob);
        dropout = nn.Dropout(config.attention_probs_dropout_prob);
        RegisterComponents();
    }

    /// <param name="keyMask">(B, 1, 1, T), true for real tokens.</param>
    /// <param name="relativePos">(T, T) bucketed query − key.</param>
    /// <param name="relEmbeddings">(2S, C), layer-normed when the config says so.</param>
    public Tensor forward(Tensor x, Tensor keyMask, Tensor relativePos, Tensor relEmbeddings)
    {
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor Heads(Tensor t) => t.view(B, T, _heads, _headDim).transpose(1, 2);                    // (B, H, T, D)
        var (q, k, v) = (Heads(query_proj.forward(x)), Heads(key_proj.forward(x)), Heads(value_proj.forward(x)));
        var scores = q.matmul(k.transpose(-1, -2)).div(_scale);                                   // (B, H, T, T)

        var rel = pos_dropout.forward(relEmbeddings);
        Tensor PositionHeads(Linear proj) => proj.forward(rel).view(2 * _span, _heads, _headDim).transpose(0, 1);   // (H, 2S, D)
        if (_c2p)
        {
            // Query i against the position key of bucket δ(i, j): index δ + S, clamped into the table.
            var index = relativePos.add(_span).clamp(0, 2 * _span - 1).expand(B, _heads, T, T);
            var c2p = q.matmul(PositionHeads(pos_key_proj ?? key_proj).transpose(-1, -2));          // (B, H, T, 2S)
            scores = scores + c2p.gather(-1, index).div(_scale);
        }
        if (_p2c)
        {
            // Key j against the position query of bucket −δ(j, i), gathered along key rows and then transposed to
            // (query, key), as transformers does; since buckets are odd in δ this is bucket δ(i, j) again.
            var index = relativePos.neg().add(_span).clamp(0, 2 * _span - 1).expand(B, _heads, T, T);
            var p2c = k.matmul(PositionHeads(pos_query_proj ?? query_proj).transpose(-1, -2));      // (B, H, T, 2S)
            scores = scores + p2c.gather(-1, index).transpose(-1, -2).div(_scale);
        }

        scores = scores.masked_fill(keyMask.logical_not(), finfo(scores.dtype).min);
        var probs = dropout.forward(scores.softmax(-1));                                          // (B, H, T, T)
        return probs.matmul(v).transpose(1, 2).contiguous().view(B, T, C);
    }
}

/// <summary>DebertaV2SelfOutput and DebertaV2Output, which differ only in their input size: projection, dropout,
/// residual, LayerNorm (post-norm).</summary>
public sealed class DebertaV2ResidualOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public DebertaV2ResidualOutput(long inputSize, DebertaV2Config config) : base(nameof(DebertaV2ResidualOutput))
    {
        dense = nn.Linear(inputSize, config.hidden_size);
        LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps);
        dropout = nn.Dropout(config.hidden_dropout_prob);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden, Tensor residual) => LayerNorm.forward(dropout.forward(dense.forward(hidden)) + residual);
}

/// <summary>DebertaV2Attention: attention.self and attention.output.</summary>
public sealed class DebertaV2Attention : nn.Module
{
    private readonly DisentangledSelfAttention self;
    private readonly DebertaV2ResidualOutput output;

    public DebertaV2Attention(DebertaV2Config config) : base(nameof(DebertaV2Attention))
    {
        self = new DisentangledSelfAttention(config);
        output = new DebertaV2ResidualOutput(config.hidden_size, config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor keyMask, Tensor relativePos, Tensor relEmbeddings) =>
        output.forward(self.forward(x, keyMask, relativePos, relEmbeddings), x);
}
