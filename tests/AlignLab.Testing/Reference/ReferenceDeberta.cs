using System.Text.Json;

namespace AlignLab.Testing.Reference;

/// <summary>
/// Independent float64 forward pass of Hugging Face's DebertaV2ForSequenceClassification (DeBERTa-v2/v3 with relative
/// attention), one unpadded sequence at a time, written per element from transformers' modeling_deberta_v2:
/// embeddings (word + optional absolute position + optional token type, optional embed_proj, LayerNorm); per layer
/// disentangled attention A[i,j] = (Q_i·K_j + Q_i·Kr[c2p(i,j)] + K_j·Qr[p2c(j,i)]) / sqrt(D · (1 + #terms)),
/// softmax, V, dense + residual + LayerNorm, then intermediate activation, dense + residual + LayerNorm; the context
/// pooler (dense + activation of token 0) and the classifier. Dropout is the identity (eval).
/// </summary>
public static class ReferenceDeberta
{
    private sealed record Config(
        int Vocab, int Hidden, int Layers, int Heads, int Intermediate, string HiddenAct, int MaxPositions, int TypeVocab,
        double Eps, int MaxRelative, int Buckets, bool NormRel, bool ShareKey, bool PositionBiased, bool C2P, bool P2C,
        int EmbeddingSize, string PoolerAct, int Labels)
    {
        public int HeadDim => Hidden / Heads;

        /// <summary>att_span: half the number of relative embedding rows.</summary>
        public int Span => Buckets > 0 ? Buckets : MaxRelative;
    }

    /// <summary>The num_labels logits of the sequence <paramref name="ids"/> (no padding).</summary>
    public static double[] Scores(string folder, IReadOnlyList<int> ids, IReadOnlyList<int>? tokenTypeIds = null)
    {
        var c = ReadConfig(folder);
        var store = SafeTensorStore.OpenFolder(folder);
        int T = ids.Count, C = c.Hidden, S = c.Span;
        double[] W(string name, params int[] shape) => store.Read(name, shape);

        // Embeddings.
        var word = W("deberta.embeddings.word_embeddings.weight", c.Vocab, c.EmbeddingSize);
        var position = c.PositionBiased ? W("deberta.embeddings.position_embeddings.weight", c.MaxPositions, c.EmbeddingSize) : null;
        var types = c.TypeVocab > 0 ? W("deberta.embeddings.token_type_embeddings.weight", c.TypeVocab, c.EmbeddingSize) : null;
        var proj = c.EmbeddingSize != C ? W("deberta.embeddings.embed_proj.weight", C, c.EmbeddingSize) : null;
        var (embNormW, embNormB) = (W("deberta.embeddings.LayerNorm.weight", C), W("deberta.embeddings.LayerNorm.bias", C));
        var x = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var e = new double[c.EmbeddingSize];
            for (int d = 0; d < e.Length; d++)
            {
                e[d] = word[ids[t] * e.Length + d]
                    + (position is null ? 0 : position[t * e.Length + d])
                    + (types is null ? 0 : types[(tokenTypeIds?[t] ?? 0) * e.Length + d]);
            }

            x[t] = ReferenceMath.LayerNorm(proj is null ? e : Linear(proj, null, e, C), embNormW, embNormB, c.Eps);
        }

        // Relative embeddings (2S rows), layer-normed once when norm_rel_ebd has layer_norm.
        var relTable = W("deberta.encoder.rel_embeddings.weight", 2 * S, C);
        var (relNormW, relNormB) = c.NormRel ? (W("deberta.encoder.LayerNorm.weight", C), W("deberta.encoder.LayerNorm.bias", C)) : (null, null);
        var rel = new double[2 * S][];
        for (int r = 0; r < 2 * S; r++)
        {
            rel[r] = relTable.AsSpan(r * C, C).ToArray();
            if (relNormW is not null)
            {
                rel[r] = ReferenceMath.LayerNorm(rel[r], relNormW, relNormB!, c.Eps);
            }
        }

        // δ(a, b): the bucketed distance a − b, as build_relative_position computes it.
        int Delta(int a, int b) => c.Buckets > 0 ? LogBucketPosition(a - b, c.Buckets, c.MaxRelative) : a - b;
        int Clamp(int index) => Math.Clamp(index, 0, 2 * S - 1);
        double scale = Math.Sqrt(c.HeadDim * (1.0 + (c.C2P ? 1 : 0) + (c.P2C ? 1 : 0)));
        var hiddenAct = ReferenceMath.Activation(c.HiddenAct);

        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"deberta.encoder.layer.{l}.";
            (double[] W, double[] B) Lin(string name, int outputs, int inputs) => (W(p + name + ".weight", outputs, inputs), W(p + name + ".bias", outputs));
            var (qw, qb) = Lin("attention.self.query_proj", C, C);
            var (kw, kb) = Lin("attention.self.key_proj", C, C);
            var (vw, vb) = Lin("attention.self.value_proj", C, C);
            var q = x.Select(h => Linear(qw, qb, h, C)).ToArray();
            var k = x.Select(h => Linear(kw, kb, h, C)).ToArray();
            var v = x.Select(h => Linear(vw, vb, h, C)).ToArray();
            var (pkw, pkb) = c.ShareKey || !c.C2P ? (kw, kb) : Lin("attention.self.pos_key_proj", C, C);
            var (pqw, pqb) = c.ShareKey || !c.P2C ? (qw, qb) : Lin("attention.self.pos_query_proj", C, C);
            var posKey = rel.Select(r => Linear(pkw, pkb, r, C)).ToArray();
            var posQuery = rel.Select(r => Linear(pqw, pqb, r, C)).ToArray();

            var context = new double[T][];
            for (int i = 0; i < T; i++)
            {
                context[i] = new double[C];
            }

            int D = c.HeadDim;
            for (int h = 0; h < c.Heads; h++)
            {
                ReadOnlySpan<double> Head(double[] row) => row.AsSpan(h * D, D);
                for (int i = 0; i < T; i++)
                {
                    var scores = new double[T];
                    for (int j = 0; j < T; j++)
                    {
                        double s = ReferenceMath.Dot(Head(q[i]), Head(k[j]));
                        if (c.C2P)
                        {
                            s += ReferenceMath.Dot(Head(q[i]), Head(posKey[Clamp(Delta(i, j) + S)]));
                        }

                        if (c.P2C)
                        {
                            // transformers gathers p2c along key rows with index −δ(key, query) + S, then transposes.
                            s += ReferenceMath.Dot(Head(k[j]), Head(posQuery[Clamp(-Delta(j, i) + S)]));
                        }

                        scores[j] = s / scale;
                    }

                    var probs = ReferenceMath.Softmax(scores);
                    for (int j = 0; j < T; j++)
                    {
                        for (int d = 0; d < D; d++)
                        {
                            context[i][h * D + d] += probs[j] * v[j][h * D + d];
                        }
                    }
                }
            }

            var (ow, ob) = Lin("attention.output.dense", C, C);
            var (anw, anb) = (W(p + "attention.output.LayerNorm.weight", C), W(p + "attention.output.LayerNorm.bias", C));
            var (iw, ib) = Lin("intermediate.dense", c.Intermediate, C);
            var (dw, db) = Lin("output.dense", C, c.Intermediate);
            var (onw, onb) = (W(p + "output.LayerNorm.weight", C), W(p + "output.LayerNorm.bias", C));
            for (int t = 0; t < T; t++)
            {
                var attention = ReferenceMath.LayerNorm(Add(Linear(ow, ob, context[t], C), x[t]), anw, anb, c.Eps);
                var inner = Linear(iw, ib, attention, c.Intermediate).Select(hiddenAct).ToArray();
                x[t] = ReferenceMath.LayerNorm(Add(Linear(dw, db, inner, C), attention), onw, onb, c.Eps);
            }
        }

        var pooled = Linear(W("pooler.dense.weight", C, C), W("pooler.dense.bias", C), x[0], C).Select(ReferenceMath.Activation(c.PoolerAct)).ToArray();
        return Linear(W("classifier.weight", c.Labels, C), W("classifier.bias", c.Labels), pooled, c.Labels);
    }

    /// <summary>make_log_bucket_position for one distance: |d| &lt;= bucketSize / 2 (mid) stays d; farther, sign(d) ·
    /// (mid + ceil(ln(|d| / mid) / ln((maxPosition − 1) / mid) · (mid − 1))), in exact float64.</summary>
    public static int LogBucketPosition(int relative, int bucketSize, int maxPosition)
    {
        int mid = bucketSize / 2;
        int abs = Math.Abs(relative);
        if (abs <= mid)
        {
            return relative;
        }

        double log = Math.Ceiling(Math.Log(abs / (double)mid) / Math.Log((maxPosition - 1) / (double)mid) * (mid - 1));
        return Math.Sign(relative) * (mid + (int)log);
    }

    private static double[] Linear(double[] weight, double[]? bias, ReadOnlySpan<double> input, int outputs)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            y[o] = ReferenceMath.Dot(weight.AsSpan(o * input.Length, input.Length), input) + (bias?[o] ?? 0);
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    private static Config ReadConfig(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        var j = doc.RootElement;
        int Int(string name, int fallback) => j.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : fallback;
        bool Bool(string name, bool fallback) => j.TryGetProperty(name, out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : fallback;
        string Str(string name, string fallback) => j.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : fallback;

        if (!Bool("relative_attention", false))
        {
            throw new NotSupportedException("reference DeBERTa: relative_attention = false is not implemented.");
        }

        if (Int("conv_kernel_size", 0) > 0)
        {
            throw new NotSupportedException("reference DeBERTa: conv_kernel_size > 0 is not implemented.");
        }

        string[] posAttType = !j.TryGetProperty("pos_att_type", out var pat) ? []
            : pat.ValueKind == JsonValueKind.Array ? pat.EnumerateArray().Select(e => e.GetString()!.Trim().ToLowerInvariant()).ToArray()
            : pat.ValueKind == JsonValueKind.String ? pat.GetString()!.ToLowerInvariant().Split('|').Select(s => s.Trim()).ToArray()
            : [];
        int hidden = Int("hidden_size", 1536);
        int maxPositions = Int("max_position_embeddings", 512);
        int maxRelative = Int("max_relative_positions", -1);
        int labels = j.TryGetProperty("num_labels", out var nl) ? nl.GetInt32()
            : j.TryGetProperty("id2label", out var id2label) && id2label.ValueKind == JsonValueKind.Object ? id2label.EnumerateObject().Count()
            : 2;
        return new Config(
            Vocab: Int("vocab_size", 128100),
            Hidden: hidden,
            Layers: Int("num_hidden_layers", 24),
            Heads: Int("num_attention_heads", 24),
            Intermediate: Int("intermediate_size", 6144),
            HiddenAct: Str("hidden_act", "gelu"),
            MaxPositions: maxPositions,
            TypeVocab: Int("type_vocab_size", 0),
            Eps: j.TryGetProperty("layer_norm_eps", out var eps) ? eps.GetDouble() : 1e-7,
            MaxRelative: maxRelative < 1 ? maxPositions : maxRelative,
            Buckets: Int("position_buckets", -1),
            NormRel: Str("norm_rel_ebd", "none").ToLowerInvariant().Split('|').Select(s => s.Trim()).Contains("layer_norm"),
            ShareKey: Bool("share_att_key", false),
            PositionBiased: Bool("position_biased_input", true),
            C2P: posAttType.Contains("c2p"),
            P2C: posAttType.Contains("p2c"),
            EmbeddingSize: Int("embedding_size", hidden),
            PoolerAct: Str("pooler_hidden_act", "gelu"),
            Labels: labels);
    }
}
