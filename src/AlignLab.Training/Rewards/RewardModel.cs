using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using AlignLab.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Rewards;

/// <summary>A sequence-classification reward model (HF *ForSequenceClassification folder with its tokenizer).
/// R(X, Y) is label 0's score at the last token of prompt + response + EOS; for a token-level reward model
/// (config <see cref="LevelKey"/> = "token", as AlignLab's reward-model method writes) it is the mean of the
/// per-token scores over the response (seed 002, Eq. 1).</summary>
public sealed class RewardModel : IDisposable
{
    /// <summary>config.json key naming how the reward is read: "sequence" (default) or "token".</summary>
    public const string LevelKey = "alignlab_reward_level";

    /// <summary>config.json key naming the pairs the model was trained on: "edited" or "original" (absent: unknown).</summary>
    public const string PairsKey = "alignlab_reward_pairs";

    private RewardModel(SequenceClassifier classifier, TextTokenizer tokenizer, Device device, bool tokenLevel, string? trainedOn)
    {
        TrainedOn = trainedOn;
        Classifier = classifier;
        Tokenizer = tokenizer;
        Device = device;
        TokenLevel = tokenLevel;
    }

    public SequenceClassifier Classifier { get; }
    public TextTokenizer Tokenizer { get; }
    public Device Device { get; }
    public bool TokenLevel { get; }
    public string? TrainedOn { get; }

    public static RewardModel Load(string folder, Device device)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var classifier = SequenceClassifier.Load(folder);
        classifier.to(device);
        classifier.eval();
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)))!;
        return new RewardModel(classifier, tokenizer, device, config[LevelKey]?.GetValue<string>() == "token", config[PairsKey]?.GetValue<string>());
    }

    /// <summary>Rewards of (instruction, input, response) triples under <paramref name="template"/>, in batches: the last
    /// response token's score, or for a token-level model the mean over the response. A sequence longer than the model's
    /// context loses tokens from the start of its prompt, never from the response's end.</summary>
    public double[] Score(IReadOnlyList<(string Instruction, string Input, string Response)> items, PromptTemplate template, int batchSize = 8)
    {
        var maxLength = Classifier.Backbone.Config.MaxPositions;
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
        var result = new List<double[]>(rows.Count);
        using var noGrad = no_grad();
        foreach (var chunk in rows.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var batch = ResponseBatch.Pad(chunk, Tokenizer.PadTokenId, Device);
            var scores = Classifier.Scores(batch.InputIds, batch.AttentionMask).select(2, 0).to(ScalarType.Float64).cpu();
            for (int b = 0; b < chunk.Length; b++)
                result.Add(scores[b].narrow(0, chunk[b].Prompt.Length, chunk[b].Response.Length).data<double>().ToArray());
        }
        return [.. result];
    }

    public void Dispose() => Classifier.Dispose();
}
