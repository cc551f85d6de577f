using AlignLab.Core.R3;
using AlignLab.Training.Weights;
using TorchSharp;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace AlignLab.Training.Retrieval;

/// <summary>R³'s relevance with an unsupervised dense retriever such as Contriever (“Preference-free Alignment Learning with Regularized Relevance Reward”): a BERT encoder from an HF
/// folder (config.json, safetensors, vocab.txt), each text embedded as the mean of its last hidden states over the
/// attention mask, relevance the dot product of the two embeddings (not the cosine: the paper found it worse).
/// The closed-ended branch maps [0, 3.5] onto the reward, as the paper does for Contriever's scores.</summary>
public sealed class RetrieverScorer : IRelevanceScorer, IDisposable
{
    private readonly BertEncoder _encoder;
    private readonly BertTokenizer _tokenizer;
    private readonly Device _device;
    private readonly int _maxTokens;
    private readonly int _batchSize;

    private RetrieverScorer(BertEncoder encoder, BertTokenizer tokenizer, Device device, string folder, int batchSize)
    {
        _encoder = encoder;
        _tokenizer = tokenizer;
        _device = device;
        _maxTokens = encoder.Config.max_position_embeddings;
        _batchSize = batchSize;
        Name = $"Dense retriever (BERT mean pooling, dot product): {Path.GetFileName(folder.TrimEnd('/'))}";
    }

    public string Name { get; }

    public double ClosedEndedRange => 3.5;

    public static RetrieverScorer Load(string folder, Device? device = null, int batchSize = 32)
    {
        var config = BertConfig.Read(folder);
        var vocab = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(vocab)) throw new ArgumentException($"{folder}: no vocab.txt (a WordPiece vocabulary)");
        var lowerCase = true;
        var tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(tokenizerConfig) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tokenizerConfig))?["do_lower_case"] is { } flag)
            lowerCase = flag.GetValue<bool>();
        // Uncased BERT strips accents through Unicode decomposition, which needs ICU: without it ("globalization
        // invariant" mode) "Café" would silently become [UNK] instead of "cafe", unlike the model's own tokenizer.
        if (lowerCase && "\u00e9".Normalize(System.Text.NormalizationForm.FormD).Length == 1)
            throw new NotSupportedException($"{folder}: this uncased WordPiece tokenizer strips accents, which needs ICU (libicu), " +
                "and this process runs without it (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT); install libicu or unset it");
        var tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });
        var encoder = new BertEncoder(config);
        LoadWeights(encoder, SafetensorsCheckpoint.Open(folder));
        encoder.eval();
        var target = device ?? CPU;
        encoder.to(target);
        return new RetrieverScorer(encoder, tokenizer, target, folder, batchSize);
    }

    /// <summary>A BertFor… checkpoint prefixes the encoder's names with "bert."; the pooler and task heads, which
    /// mean pooling does not use, and the position-id buffer some versions save are left.</summary>
    private static void LoadWeights(BertEncoder encoder, SafetensorsCheckpoint checkpoint) =>
        Models.ModelFolder.LoadWeights(encoder, checkpoint, name => ["bert." + name],
            name => name.StartsWith("pooler.", StringComparison.Ordinal) || name.StartsWith("bert.pooler.", StringComparison.Ordinal)
                    || name.StartsWith("cls.", StringComparison.Ordinal) || name.EndsWith("position_ids", StringComparison.Ordinal));

    /// <summary>Token ids with [CLS] and [SEP], a text too long for the model's positions cut at its start: the authors set
    /// the retriever tokenizer's truncation_side to "left" (reward_model.py), so a long response keeps its end.</summary>
    public int[] Encode(string text)
    {
        var ids = _tokenizer.EncodeToIds(text, addSpecialTokens: false);
        return [_tokenizer.ClassificationTokenId, .. ids.TakeLast(_maxTokens - 2), _tokenizer.SeparatorTokenId];
    }

    /// <summary>Mean-pooled embeddings (N, C) of <paramref name="texts"/>, in batches.</summary>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        var result = new List<float[]>(texts.Count);
        using var inference = inference_mode();                // only host arrays leave
        foreach (var chunk in texts.Chunk(_batchSize))
        {
            using var scope = NewDisposeScope();
            var rows = chunk.Select(Encode).ToList();
            var width = rows.Max(r => r.Length);
            var ids = new long[rows.Count * width];
            var mask = new long[rows.Count * width];
            for (int b = 0; b < rows.Count; b++)
                for (int t = 0; t < rows[b].Length; t++)
                {
                    ids[b * width + t] = rows[b][t];
                    mask[b * width + t] = 1;
                }
            var idTensor = tensor(ids, [rows.Count, width], device: _device);
            var maskTensor = tensor(mask, [rows.Count, width], device: _device);
            var hidden = _encoder.forward(idTensor, maskTensor).to(ScalarType.Float32);                      // (B, T, C)
            var weights = maskTensor.to(ScalarType.Float32).unsqueeze(-1);                                    // (B, T, 1)
            var pooled = (hidden * weights).sum(1) / weights.sum(1);                                          // (B, C)
            var values = pooled.cpu().data<float>().ToArray();
            var size = (int)pooled.shape[1];
            for (int b = 0; b < rows.Count; b++) result.Add(values[(b * size)..((b + 1) * size)]);
        }
        return [.. result];
    }

    public IReadOnlyList<double> Score(IReadOnlyList<(string Anchor, string Text)> pairs, RelevanceAnchor anchor)
    {
        if (pairs.Count == 0) return [];
        var embeddings = Embed([.. pairs.Select(p => p.Anchor), .. pairs.Select(p => p.Text)]);
        return [.. pairs.Select((_, i) => Dot(embeddings[i], embeddings[pairs.Count + i]))];
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    public void Dispose() => _encoder.Dispose();
}
