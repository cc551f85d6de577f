using AlignLab.Training.Models;
using AlignLab.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Training.Rewards;

/// <summary>A sequence-classification reward model (HF *ForSequenceClassification folder with its tokenizer):
/// R(X, Y) is label 0's score at the last token of prompt + response + EOS.</summary>
public sealed class RewardModel : IDisposable
{
    private RewardModel(SequenceClassifier classifier, TextTokenizer tokenizer, Device device)
    {
        Classifier = classifier;
        Tokenizer = tokenizer;
        Device = device;
    }

    public SequenceClassifier Classifier { get; }
    public TextTokenizer Tokenizer { get; }
    public Device Device { get; }

    public static RewardModel Load(string folder, Device device)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var classifier = SequenceClassifier.Load(folder);
        classifier.to(device);
        classifier.eval();
        return new RewardModel(classifier, tokenizer, device);
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
            var batch = items.Skip(start).Take(batchSize).Select(item =>
            {
                var (prompt, response) = template.Encode(Tokenizer, item.Instruction, item.Input, item.Response);
                int[] ids = [.. prompt, .. response];
                return ids.Length > maxLength ? ids[^maxLength..] : ids;
            }).ToList();
            var length = batch.Max(ids => ids.Length);
            var idValues = new long[batch.Count * length];
            var maskValues = new long[batch.Count * length];
            for (int b = 0; b < batch.Count; b++)
                for (int t = 0; t < length; t++)
                {
                    idValues[b * length + t] = t < batch[b].Length ? batch[b][t] : Tokenizer.PadTokenId;
                    maskValues[b * length + t] = t < batch[b].Length ? 1 : 0;
                }
            var scores = Classifier.Forward(tensor(idValues, [batch.Count, length], device: Device), tensor(maskValues, [batch.Count, length], device: Device));
            var values = scores.select(1, 0).to(ScalarType.Float64).cpu().data<double>().ToArray();
            values.CopyTo(rewards, start);
        }
        return rewards;
    }

    public void Dispose() => Classifier.Dispose();
}
