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

    private RewardModel(SequenceClassifier classifier, TextTokenizer tokenizer, Device device, bool tokenLevel)
    {
        Classifier = classifier;
        Tokenizer = tokenizer;
        Device = device;
        TokenLevel = tokenLevel;
    }

    public SequenceClassifier Classifier { get; }
    public TextTokenizer Tokenizer { get; }
    public Device Device { get; }
    public bool TokenLevel { get; }

    public static RewardModel Load(string folder, Device device)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var classifier = SequenceClassifier.Load(folder);
        classifier.to(device);
        classifier.eval();
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)))!;
        return new RewardModel(classifier, tokenizer, device, config[LevelKey]?.GetValue<string>() == "token");
    }

    /// <summary>Rewards of (instruction, input, response) triples under <paramref name="template"/>, in batches. A
    /// sequence longer than the model's context loses tokens from the start of its prompt, never from the response's end.</summary>
    public double[] Score(IReadOnlyList<(string Instruction, string Input, string Response)> items, PromptTemplate template, int batchSize = 8)
    {
        var maxLength = Classifier.Backbone.Config.MaxPositions;
        var rewards = new double[items.Count];
        using var noGrad = no_grad();
        for (int start = 0; start < items.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var encoded = items.Skip(start).Take(batchSize).Select(item =>
            {
                var (prompt, response) = template.Encode(Tokenizer, item.Instruction, item.Input, item.Response);
                int[] ids = [.. prompt, .. response];
                return (Ids: ids.Length > maxLength ? ids[^maxLength..] : ids, ResponseLength: Math.Min(response.Length, maxLength));
            }).ToList();
            var batch = encoded.Select(e => e.Ids).ToList();
            var length = batch.Max(ids => ids.Length);
            var idValues = new long[batch.Count * length];
            var maskValues = new long[batch.Count * length];
            for (int b = 0; b < batch.Count; b++)
                for (int t = 0; t < length; t++)
                {
                    idValues[b * length + t] = t < batch[b].Length ? batch[b][t] : Tokenizer.PadTokenId;
                    maskValues[b * length + t] = t < batch[b].Length ? 1 : 0;
                }
            var ids = tensor(idValues, [batch.Count, length], device: Device);
            var mask = tensor(maskValues, [batch.Count, length], device: Device);
            double[] values;
            if (TokenLevel)
            {
                var scores = Classifier.Scores(ids, mask).select(2, 0).to(ScalarType.Float64).cpu();
                values = [.. encoded.Select((e, b) => scores[b].narrow(0, e.Ids.Length - e.ResponseLength, e.ResponseLength).mean().item<double>())];
            }
            else values = Classifier.Forward(ids, mask).select(1, 0).to(ScalarType.Float64).cpu().data<double>().ToArray();
            values.CopyTo(rewards, start);
        }
        return rewards;
    }

    public void Dispose() => Classifier.Dispose();
}
