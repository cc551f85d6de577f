using AlignLab.Core.Tokenization;
using AlignLab.Training.Batching;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Deberta;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Rewards;

/// <summary>A reward model: an HF *ForSequenceClassification folder with its tokenizer, of one of two kinds.
/// <list type="bullet">
/// <item>A decoder classifier (GPT-2, Llama, Qwen, … with a score head): R(X, Y) is label 0's score at the last token of
/// prompt + response + EOS, the prompt rendered by the run's template; for a token-level reward model (config
/// <see cref="LevelKey"/> = "token", as AlignLab's reward-model method writes) it is the mean of the per-token scores over
/// the response (“Aligning Large Language Models via Fine-grained Supervision”, Eq. 1).</item>
/// <item>A cross-encoder (DeBERTa-v2/v3, as OpenAssistant's reward-model-deberta-v3-large-v2 that FIGA's η were set
/// for): R(X, Y) is label 0's logit of the text pair (question, answer), joined as its tokenizer joins a pair; the prompt
/// template does not apply.</item>
/// </list></summary>
public sealed class RewardModel : IDisposable
{
    /// <summary>config.json key naming how the reward is read: "sequence" (default) or "token".</summary>
    public const string LevelKey = "alignlab_reward_level";

    /// <summary>config.json key naming the pairs the model was trained on: "edited" or "original" (absent: unknown).</summary>
    public const string PairsKey = "alignlab_reward_pairs";

    private readonly SequenceClassifier? _decoder;
    private readonly DebertaV2ForSequenceClassification? _crossEncoder;
    private PromptTemplate? _chatTemplate;

    private RewardModel(SequenceClassifier? decoder, DebertaV2ForSequenceClassification? crossEncoder, TextTokenizer tokenizer, Device device,
        bool tokenLevel, string? trainedOn)
    {
        _decoder = decoder;
        _crossEncoder = crossEncoder;
        TrainedOn = trainedOn;
        Tokenizer = tokenizer;
        Device = device;
        TokenLevel = tokenLevel;
    }

    public TextTokenizer Tokenizer { get; }
    public Device Device { get; }
    public bool TokenLevel { get; }
    public string? TrainedOn { get; }

    /// <summary>Whether it scores (question, answer) text pairs (DeBERTa) rather than a templated prompt and response.</summary>
    public bool IsCrossEncoder => _crossEncoder is not null;

    public static RewardModel Load(string folder, Device device)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)))!;
        if (config["model_type"]?.GetValue<string>() == DebertaV2Config.ModelTypeName)
        {
            var encoder = DebertaV2ForSequenceClassification.Load(folder);
            encoder.to(device);
            return new RewardModel(null, encoder, tokenizer, device, tokenLevel: false, config[PairsKey]?.GetValue<string>());
        }
        var classifier = SequenceClassifier.Load(folder);
        classifier.to(device);
        classifier.eval();
        return new RewardModel(classifier, null, tokenizer, device, config[LevelKey]?.GetValue<string>() == "token", config[PairsKey]?.GetValue<string>());
    }

    /// <summary>Rewards of (instruction, input, response) triples, in batches. A decoder reads the last response token's
    /// score (or the mean over the response, token level), with the prompt under <paramref name="template"/>; a sequence
    /// longer than its context loses tokens from the start of its prompt, never from the response's end. A cross-encoder
    /// scores (instruction and input, response) as a text pair.</summary>
    public double[] Score(IReadOnlyList<(string Instruction, string Input, string Response)> items, PromptTemplate template, int batchSize = 8)
    {
        if (_crossEncoder is not null) return ScorePairs(items, batchSize);
        // A chat template is the reward model's own, rendered for its tokenizer.
        if (template.Name == PromptTemplate.ModelTemplateName) template = _chatTemplate ??= PromptTemplate.FromChatTemplate(Tokenizer);
        var maxLength = _decoder!.Backbone.Config.MaxPositions;
        var rows = items.Select(item =>
        {
            var (prompt, response) = template.Encode(Tokenizer, item.Instruction, item.Input, item.Response);
            if (response.Length >= maxLength) return (Array.Empty<int>(), response[^maxLength..]);
            return (prompt.Length + response.Length > maxLength ? prompt[^(maxLength - response.Length)..] : prompt, response);
        }).ToList();
        return [.. TokenScores(rows, batchSize).Select(scores => TokenLevel ? scores.Average() : scores[^1])];
    }

    /// <summary>The score (label 0) at every response token of (prompt, response) rows given in this model's tokens.</summary>
    public double[][] TokenScores(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int batchSize = 8)
    {
        if (_decoder is null) throw new NotSupportedException("a cross-encoder reward model scores whole answers, not tokens");
        var result = new List<double[]>(rows.Count);
        using var inference = inference_mode();                // only host arrays leave
        foreach (var chunk in rows.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var batch = ResponseBatch.Pad(chunk, Tokenizer.PadTokenId, Device);
            var scores = _decoder.Scores(batch.InputIds, unpadded: batch.Unpadded()).select(2, 0).to(ScalarType.Float64).cpu();
            for (int b = 0; b < chunk.Length; b++)
                result.Add(scores[b].narrow(0, chunk[b].Prompt.Length, chunk[b].Response.Length).data<double>().ToArray());
        }
        return [.. result];
    }

    // OpenAssistant's reward models are called as model(**tokenizer(question, answer)): the pair, right-padded.
    private double[] ScorePairs(IReadOnlyList<(string Instruction, string Input, string Response)> items, int batchSize)
    {
        var maxLength = _crossEncoder!.Config.max_position_embeddings;
        var result = new List<double>(items.Count);
        using var inference = inference_mode();                // only host arrays leave
        foreach (var chunk in items.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var pairs = chunk.Select(i => Tokenizer.EncodePair(QueryText(i.Instruction, i.Input), i.Response, maxLength)).ToList();
            var length = pairs.Max(p => p.Ids.Length);
            var ids = new long[chunk.Length * length];
            var types = new long[ids.Length];
            var mask = new long[ids.Length];
            Array.Fill(ids, Tokenizer.PadTokenId);
            for (int b = 0; b < pairs.Count; b++)
                for (int t = 0; t < pairs[b].Ids.Length; t++)
                    (ids[b * length + t], types[b * length + t], mask[b * length + t]) = (pairs[b].Ids[t], pairs[b].TypeIds[t], 1);
            long[] shape = [chunk.Length, length];
            var logits = _crossEncoder.Forward(tensor(ids, shape, device: Device), tensor(mask, shape, device: Device), tensor(types, shape, device: Device));
            result.AddRange(logits.select(1, 0).to(ScalarType.Float64).cpu().data<double>().ToArray());
        }
        return [.. result];
    }

    /// <summary>The question a cross-encoder sees: the instruction, and the input on its own lines when there is one.</summary>
    public static string QueryText(string instruction, string input) => string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n\n{input}";

    public void Dispose()
    {
        _decoder?.Dispose();
        _crossEncoder?.Dispose();
    }
}
