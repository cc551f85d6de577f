namespace AlignLab.Testing.Reference;

/// <summary>
/// Independent float64 reference forward pass for Hugging Face causal LMs (gpt2, llama, mistral, qwen2, qwen3),
/// written from the transformers model definitions: no padding, no KV cache, positions 0..T-1, full causal
/// attention. Sliding-window attention is not implemented: if a configured window is smaller than the sequence
/// (so it would mask something in transformers), a <see cref="NotSupportedException"/> is thrown instead.
/// </summary>
public static class ReferenceLm
{
    /// <summary>
    /// For a Hugging Face model folder (config.json + model.safetensors or sharded model-0000x-of-0000y.safetensors
    /// with model.safetensors.index.json), returns log p(ids[t] | ids[&lt;t]) for t = 1..ids.Count-1
    /// (length ids.Count-1), computed in float64 with no padding and no cache.
    /// </summary>
    /// <param name="fromToken">Score only tokens from this index on (earlier entries stay 0): the output layer, the largest
    /// cost with a real vocabulary, then runs for those positions alone.</param>
    public static double[] TokenLogProbs(string modelFolder, IReadOnlyList<int> ids, int fromToken = 1)
    {
        var model = ReferenceModel.Load(modelFolder);
        var hidden = model.FinalHiddenStates(ids);
        int rows = ids.Count - 1;
        var result = new double[rows];
        int skipped = Math.Clamp(fromToken - 1, 0, rows);
        int vocab = model.LmHeadRows;

        // Blocks of positions share each pass over lm_head (which can be far larger than the caches); only a
        // Block x vocab buffer per worker is allocated, never T x vocab.
        int blocks = (rows - skipped + ReferenceModel.Block - 1) / ReferenceModel.Block;
        Parallel.For(
            0,
            blocks,
            () => Enumerable.Range(0, ReferenceModel.Block).Select(_ => new double[vocab]).ToArray(),
            (block, _, logits) =>
            {
                int first = skipped + block * ReferenceModel.Block;
                int count = Math.Min(ReferenceModel.Block, rows - first);
                model.Logits(hidden, first, count, logits);
                for (int b = 0; b < count; b++)
                {
                    int row = first + b;
                    result[row] = logits[b][ids[row + 1]] - ReferenceMath.LogSumExp(logits[b]);
                }

                return logits;
            },
            _ => { });
        return result;
    }

    /// <summary>The full next-token log-softmax rows (T x vocab), for tests that need more.</summary>
    public static double[][] LogSoftmax(string modelFolder, IReadOnlyList<int> ids)
    {
        var model = ReferenceModel.Load(modelFolder);
        var hidden = model.FinalHiddenStates(ids);
        int t = ids.Count;
        var rows = new double[t][];
        for (int i = 0; i < t; i++)
        {
            rows[i] = new double[model.LmHeadRows];
        }

        int blocks = (t + ReferenceModel.Block - 1) / ReferenceModel.Block;
        Parallel.For(0, blocks, block =>
        {
            int first = block * ReferenceModel.Block;
            int count = Math.Min(ReferenceModel.Block, t - first);
            model.Logits(hidden, first, count, rows.AsSpan(first, count).ToArray());
            for (int i = first; i < first + count; i++)
            {
                var logits = rows[i];
                double lse = ReferenceMath.LogSumExp(logits);
                for (int v = 0; v < logits.Length; v++)
                {
                    logits[v] -= lse;
                }
            }
        });
        return rows;
    }

    /// <summary>
    /// *ForSequenceClassification (llama/qwen2/qwen3/mistral): the score head (score.weight, no bias) on the last
    /// token's final hidden state; returns num_labels values. (transformers pools at the last non-pad token when
    /// config.pad_token_id is set; with no padding in <paramref name="ids"/> that is the last token.)
    /// </summary>
    public static double[] SequenceScores(string modelFolder, IReadOnlyList<int> ids)
    {
        var model = ReferenceModel.Load(modelFolder, loadLmHead: false, loadScore: true);
        var hidden = model.FinalHiddenStates(ids);
        int h = model.Config.HiddenSize;
        var last = hidden.AsSpan((ids.Count - 1) * h, h);
        var scores = new double[model.ScoreRows];
        for (int l = 0; l < scores.Length; l++)
        {
            scores[l] = ReferenceMath.Dot(model.Score!.AsSpan(l * h, h), last);
        }

        return scores;
    }
}

/// <summary>A loaded model: config plus float64 weights.</summary>
internal sealed class ReferenceModel
{
    private readonly Layer[] _layers;
    private double[] _embed = [];
    private double[]? _positionEmbed; // gpt2 wpe
    private double[] _finalNormWeight = [];
    private double[]? _finalNormBias; // gpt2 ln_f.bias
    private double[]? _lmHead;
    private double[] _invFreq = [];

    private ReferenceModel(ReferenceConfig config)
    {
        Config = config;
        _layers = new Layer[config.NumLayers];
    }

    public ReferenceConfig Config { get; }

    public int LmHeadRows { get; private set; }

    public double[]? Score { get; private set; }

    public int ScoreRows { get; private set; }

    public static ReferenceModel Load(string folder, bool loadLmHead = true, bool loadScore = false)
    {
        var config = ReferenceConfig.Load(folder);
        var store = SafeTensorStore.OpenFolder(folder);
        var model = new ReferenceModel(config);
        if (config.IsLlamaFamily)
        {
            model.LoadLlamaFamily(store, loadLmHead, loadScore);
        }
        else
        {
            if (loadScore)
            {
                throw new NotSupportedException("SequenceScores supports llama, mistral, qwen2 and qwen3 only.");
            }

            model.LoadGpt2(store);
        }

        return model;
    }

    private static string ResolvePrefix(SafeTensorStore store, string probe, params string[] prefixes)
    {
        foreach (var p in prefixes)
        {
            if (store.Contains(p + probe))
            {
                return p;
            }
        }

        throw new InvalidDataException(
            $"No '{probe}' tensor under any of the prefixes [{string.Join(", ", prefixes.Select(p => $"'{p}'"))}].");
    }

    private void LoadLlamaFamily(SafeTensorStore store, bool loadLmHead, bool loadScore)
    {
        var c = Config;
        int h = c.HiddenSize;
        int qDim = c.NumHeads * c.HeadDim;
        int kvDim = c.NumKeyValueHeads * c.HeadDim;
        int inter = c.IntermediateSize;
        string p = ResolvePrefix(store, "embed_tokens.weight", "model.", string.Empty);

        _embed = store.Read(p + "embed_tokens.weight", c.VocabSize, h);
        for (int i = 0; i < c.NumLayers; i++)
        {
            string l = $"{p}layers.{i}.";
            _layers[i] = new Layer
            {
                Norm1 = store.Read(l + "input_layernorm.weight", h),
                Norm2 = store.Read(l + "post_attention_layernorm.weight", h),
                Q = Linear.Load(store, l + "self_attn.q_proj", qDim, h, c.QkvBias),
                K = Linear.Load(store, l + "self_attn.k_proj", kvDim, h, c.QkvBias),
                V = Linear.Load(store, l + "self_attn.v_proj", kvDim, h, c.QkvBias),
                O = Linear.Load(store, l + "self_attn.o_proj", h, qDim, c.OutputBias),
                QNorm = c.QkNorm ? store.Read(l + "self_attn.q_norm.weight", c.HeadDim) : null,
                KNorm = c.QkNorm ? store.Read(l + "self_attn.k_norm.weight", c.HeadDim) : null,
                Gate = Linear.Load(store, l + "mlp.gate_proj", inter, h, c.MlpBias),
                Up = Linear.Load(store, l + "mlp.up_proj", inter, h, c.MlpBias),
                Down = Linear.Load(store, l + "mlp.down_proj", h, inter, c.MlpBias),
            };
        }

        _finalNormWeight = store.Read(p + "norm.weight", h);
        _invFreq = ReferenceMath.RopeInverseFrequencies(c.HeadDim, c.Rope!);

        if (loadLmHead)
        {
            LoadLmHead(store);
        }

        if (loadScore)
        {
            var info = store.Info("score.weight");
            if (info.Shape.Length != 2 || info.Shape[1] != h)
            {
                throw new InvalidDataException($"score.weight has shape [{string.Join(",", info.Shape)}], expected [num_labels, {h}].");
            }

            if (store.Contains("score.bias"))
            {
                throw new InvalidDataException("score.bias present: transformers' sequence-classification score head has no bias.");
            }

            ScoreRows = info.Shape[0];
            Score = store.Read("score.weight", ScoreRows, h);
        }
    }

    private void LoadGpt2(SafeTensorStore store)
    {
        var c = Config;
        int h = c.HiddenSize;
        string p = ResolvePrefix(store, "wte.weight", "transformer.", string.Empty);
        _embed = store.Read(p + "wte.weight", c.VocabSize, h);
        _positionEmbed = store.Read(p + "wpe.weight", c.MaxPositionEmbeddings, h);
        for (int i = 0; i < c.NumLayers; i++)
        {
            string l = $"{p}h.{i}.";
            _layers[i] = new Layer
            {
                Norm1 = store.Read(l + "ln_1.weight", h),
                Norm1Bias = store.Read(l + "ln_1.bias", h),
                Norm2 = store.Read(l + "ln_2.weight", h),
                Norm2Bias = store.Read(l + "ln_2.bias", h),
                Qkv = Linear.LoadConv1D(store, l + "attn.c_attn", h, 3 * h),
                O = Linear.LoadConv1D(store, l + "attn.c_proj", h, h),
                Fc = Linear.LoadConv1D(store, l + "mlp.c_fc", h, c.IntermediateSize),
                Down = Linear.LoadConv1D(store, l + "mlp.c_proj", c.IntermediateSize, h),
            };
        }

        _finalNormWeight = store.Read(p + "ln_f.weight", h);
        _finalNormBias = store.Read(p + "ln_f.bias", h);
        LoadLmHead(store);
    }

    /// <summary>The output layer: the embedding when tied, else lm_head.weight.</summary>
    private void LoadLmHead(SafeTensorStore store)
    {
        var c = Config;
        if (c.TieWordEmbeddings)
        {
            _lmHead = _embed;
        }
        else if (store.Contains("lm_head.weight"))
        {
            _lmHead = store.Read("lm_head.weight", c.VocabSize, c.HiddenSize);
        }
        else
        {
            throw new InvalidDataException("tie_word_embeddings is false but the checkpoint has no lm_head.weight.");
        }

        LmHeadRows = c.VocabSize;
    }

    /// <summary>Positions per pass over lm_head.</summary>
    public const int Block = 16;

    /// <summary>
    /// logits[b][v] = lm_head[v] . hidden[first + b] (no bias) for b &lt; count; hidden is T x hidden_size.
    /// </summary>
    public void Logits(double[] hidden, int first, int count, double[][] logits)
    {
        int h = Config.HiddenSize;
        var w = _lmHead ?? throw new InvalidOperationException("lm_head not loaded.");
        for (int v = 0; v < LmHeadRows; v++)
        {
            var row = w.AsSpan(v * h, h);
            for (int b = 0; b < count; b++)
            {
                logits[b][v] = ReferenceMath.Dot(row, hidden.AsSpan((first + b) * h, h));
            }
        }
    }

    /// <summary>Final (normalised) hidden states, T x hidden row-major.</summary>
    public double[] FinalHiddenStates(IReadOnlyList<int> ids)
    {
        var c = Config;
        int t = ids.Count;
        if (t == 0)
        {
            throw new ArgumentException("ids must not be empty.", nameof(ids));
        }

        foreach (var id in ids)
        {
            if (id < 0 || id >= c.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside [0, {c.VocabSize}).");
            }
        }

        for (int i = 0; i < c.NumLayers; i++)
        {
            if (c.SlidingWindowPerLayer[i] is int w && t > w)
            {
                throw new NotSupportedException(
                    $"Layer {i} has sliding_window {w} < sequence length {t}; the reference implements full causal attention only.");
            }
        }

        return c.IsLlamaFamily ? ForwardLlamaFamily(ids) : ForwardGpt2(ids);
    }

    private double[] ForwardLlamaFamily(IReadOnlyList<int> ids)
    {
        var c = Config;
        int t = ids.Count;
        int h = c.HiddenSize;
        int hd = c.HeadDim;
        int half = hd / 2;

        var x = new double[t * h];
        for (int i = 0; i < t; i++)
        {
            _embed.AsSpan(ids[i] * h, h).CopyTo(x.AsSpan(i * h, h));
        }

        // cos/sin per position (position_ids = 0..T-1).
        var cos = new double[t * half];
        var sin = new double[t * half];
        for (int pos = 0; pos < t; pos++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = pos * _invFreq[i];
                cos[pos * half + i] = Math.Cos(angle);
                sin[pos * half + i] = Math.Sin(angle);
            }
        }

        var act = ReferenceMath.Activation(c.Activation);
        var normed = new double[t * h];
        foreach (var layer in _layers)
        {
            // Self-attention block: x + o_proj(attn(input_layernorm(x))).
            RmsNormRows(x, layer.Norm1, c.NormEps, normed, t, h);
            var q = layer.Q!.Forward(normed, t);
            var k = layer.K!.Forward(normed, t);
            var v = layer.V!.Forward(normed, t);
            if (layer.QNorm is not null)
            {
                // Qwen3: q_norm / k_norm over head_dim, per head, BEFORE RoPE.
                RmsNormRows(q, layer.QNorm, c.NormEps, q, t * c.NumHeads, hd);
                RmsNormRows(k, layer.KNorm!, c.NormEps, k, t * c.NumKeyValueHeads, hd);
            }

            RotateRows(q, t, c.NumHeads, hd, cos, sin);
            RotateRows(k, t, c.NumKeyValueHeads, hd, cos, sin);
            var attn = CausalAttention(q, k, v, t, c.NumHeads, c.NumKeyValueHeads, hd, 1.0 / Math.Sqrt(hd));
            var o = layer.O!.Forward(attn, t);
            AddInPlace(x, o);

            // MLP block: x + down(act(gate(n)) * up(n)), n = post_attention_layernorm(x).
            RmsNormRows(x, layer.Norm2, c.NormEps, normed, t, h);
            var g = layer.Gate!.Forward(normed, t);
            var u = layer.Up!.Forward(normed, t);
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = act(g[i]) * u[i];
            }

            AddInPlace(x, layer.Down!.Forward(g, t));
        }

        RmsNormRows(x, _finalNormWeight, c.NormEps, x, t, h);
        return x;
    }

    private double[] ForwardGpt2(IReadOnlyList<int> ids)
    {
        var c = Config;
        int t = ids.Count;
        int h = c.HiddenSize;
        if (t > c.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"gpt2: sequence length {t} exceeds n_positions {c.MaxPositionEmbeddings}.");
        }

        var x = new double[t * h];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < h; j++)
            {
                x[i * h + j] = _embed[ids[i] * h + j] + _positionEmbed![i * h + j];
            }
        }

        var act = ReferenceMath.Activation(c.Activation);
        var normed = new double[t * h];
        for (int li = 0; li < _layers.Length; li++)
        {
            var layer = _layers[li];
            LayerNormRows(x, layer.Norm1, layer.Norm1Bias!, c.NormEps, normed, t, h);
            var qkv = layer.Qkv!.Forward(normed, t); // T x 3h: [q | k | v]
            var q = new double[t * h];
            var k = new double[t * h];
            var v = new double[t * h];
            for (int i = 0; i < t; i++)
            {
                qkv.AsSpan(i * 3 * h, h).CopyTo(q.AsSpan(i * h, h));
                qkv.AsSpan(i * 3 * h + h, h).CopyTo(k.AsSpan(i * h, h));
                qkv.AsSpan(i * 3 * h + 2 * h, h).CopyTo(v.AsSpan(i * h, h));
            }

            double scale = c.ScaleAttnWeights ? 1.0 / Math.Sqrt(c.HeadDim) : 1.0;
            if (c.ScaleAttnByInverseLayerIdx)
            {
                scale /= li + 1;
            }

            var attn = CausalAttention(q, k, v, t, c.NumHeads, c.NumHeads, c.HeadDim, scale);
            AddInPlace(x, layer.O!.Forward(attn, t));

            LayerNormRows(x, layer.Norm2, layer.Norm2Bias!, c.NormEps, normed, t, h);
            var f = layer.Fc!.Forward(normed, t);
            for (int i = 0; i < f.Length; i++)
            {
                f[i] = act(f[i]);
            }

            AddInPlace(x, layer.Down!.Forward(f, t));
        }

        LayerNormRows(x, _finalNormWeight, _finalNormBias!, c.NormEps, x, t, h);
        return x;
    }

    /// <summary>
    /// softmax(q k^T * scale + causal mask) v per head; query head hq uses kv head hq / (heads / kvHeads)
    /// (repeat_kv). q: T x heads*hd, k/v: T x kvHeads*hd; returns T x heads*hd.
    /// </summary>
    internal static double[] CausalAttention(double[] q, double[] k, double[] v, int t, int heads, int kvHeads, int hd, double scale)
    {
        int groups = heads / kvHeads;
        int qStride = heads * hd;
        int kvStride = kvHeads * hd;
        var output = new double[t * qStride];
        Parallel.For(0, heads, hq =>
        {
            int hk = hq / groups;
            var scores = new double[t];
            var acc = new double[hd];
            for (int i = 0; i < t; i++)
            {
                var qi = q.AsSpan(i * qStride + hq * hd, hd);
                double max = double.NegativeInfinity;
                for (int j = 0; j <= i; j++)
                {
                    scores[j] = ReferenceMath.Dot(qi, k.AsSpan(j * kvStride + hk * hd, hd)) * scale;
                    if (scores[j] > max)
                    {
                        max = scores[j];
                    }
                }

                double sum = 0.0;
                for (int j = 0; j <= i; j++)
                {
                    scores[j] = Math.Exp(scores[j] - max);
                    sum += scores[j];
                }

                Array.Clear(acc);
                for (int j = 0; j <= i; j++)
                {
                    double pj = scores[j] / sum;
                    var vj = v.AsSpan(j * kvStride + hk * hd, hd);
                    for (int d = 0; d < hd; d++)
                    {
                        acc[d] += pj * vj[d];
                    }
                }

                acc.CopyTo(output.AsSpan(i * qStride + hq * hd, hd));
            }
        });
        return output;
    }

    private static void RotateRows(double[] x, int t, int heads, int hd, double[] cos, double[] sin)
    {
        int half = hd / 2;
        for (int pos = 0; pos < t; pos++)
        {
            for (int hh = 0; hh < heads; hh++)
            {
                var head = x.AsSpan((pos * heads + hh) * hd, hd);
                for (int i = 0; i < half; i++)
                {
                    ReferenceMath.ApplyRotation(head, i, half, cos[pos * half + i], sin[pos * half + i]);
                }
            }
        }
    }

    private static void RmsNormRows(double[] x, double[] weight, double eps, double[] output, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
        {
            ReferenceMath.RmsNorm(x.AsSpan(r * width, width), weight, eps, output.AsSpan(r * width, width));
        }
    }

    private static void LayerNormRows(double[] x, double[] weight, double[] bias, double eps, double[] output, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
        {
            ReferenceMath.LayerNorm(x.AsSpan(r * width, width), weight, bias, eps, output.AsSpan(r * width, width));
        }
    }

    private static void AddInPlace(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    private sealed class Layer
    {
        public required double[] Norm1 { get; init; }
        public double[]? Norm1Bias { get; init; }
        public required double[] Norm2 { get; init; }
        public double[]? Norm2Bias { get; init; }
        public Linear? Q { get; init; }
        public Linear? K { get; init; }
        public Linear? V { get; init; }
        public Linear? Qkv { get; init; }
        public required Linear O { get; init; }
        public double[]? QNorm { get; init; }
        public double[]? KNorm { get; init; }
        public Linear? Gate { get; init; }
        public Linear? Up { get; init; }
        public Linear? Fc { get; init; }
        public required Linear Down { get; init; }
    }

    /// <summary>y = x W^T + b with W stored [out, in] (nn.Linear layout).</summary>
    private sealed class Linear(double[] weight, double[]? bias, int inFeatures, int outFeatures)
    {
        public static Linear Load(SafeTensorStore store, string name, int outFeatures, int inFeatures, bool bias) =>
            new(
                store.Read(name + ".weight", outFeatures, inFeatures),
                bias ? store.Read(name + ".bias", outFeatures) : null,
                inFeatures,
                outFeatures);

        /// <summary>transformers Conv1D: weight stored [in, out], y = x W + b; transposed here to [out, in].</summary>
        public static Linear LoadConv1D(SafeTensorStore store, string name, int inFeatures, int outFeatures)
        {
            var w = store.Read(name + ".weight", inFeatures, outFeatures);
            var wt = new double[w.Length];
            for (int i = 0; i < inFeatures; i++)
            {
                for (int o = 0; o < outFeatures; o++)
                {
                    wt[o * inFeatures + i] = w[i * outFeatures + o];
                }
            }

            return new Linear(wt, store.Read(name + ".bias", outFeatures), inFeatures, outFeatures);
        }

        public double[] Forward(double[] x, int rows)
        {
            var y = new double[rows * outFeatures];
            for (int r = 0; r < rows; r++)
            {
                var xr = x.AsSpan(r * inFeatures, inFeatures);
                for (int o = 0; o < outFeatures; o++)
                {
                    y[r * outFeatures + o] = ReferenceMath.Dot(weight.AsSpan(o * inFeatures, inFeatures), xr) + (bias is null ? 0.0 : bias[o]);
                }
            }

            return y;
        }
    }
}
