using System.Text.Json;
using AlignLab.Core.RewardModeling;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>Held-out pairwise accuracy of a reward model (share of pairs where the preferred response gets the higher
/// reward, read at the model's level), with the rewards of both sides (their distributions are written for the run
/// page); and the per-token rewards of held-out pairs for the heatmap viewer.</summary>
public sealed record RewardEvaluation(double Accuracy, IReadOnlyList<double> Preferred, IReadOnlyList<double> Other)
{
    public double MeanPreferred => Preferred.Count == 0 ? 0 : Preferred.Average();
    public double MeanOther => Other.Count == 0 ? 0 : Other.Average();

    /// <summary>The held-out rewards of both sides, for the run page's histograms.</summary>
    public void WriteDistribution(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(new RewardModelArtifacts.Distribution(Accuracy, [.. Preferred], [.. Other]), new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    public static RewardEvaluation Measure(SequenceClassifier classifier, IReadOnlyList<RewardExample> examples, RewardLoss.Level level,
        int batchSize, int padTokenId, Device device)
    {
        double correct = 0;
        var preferred = new List<double>(examples.Count);
        var other = new List<double>(examples.Count);
        using (EvalMode.Enter(classifier))
            foreach (var chunk in examples.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var batch = RewardBatch.Build(chunk, padTokenId, device);
                var scores = classifier.Scores(batch.InputIds, unpadded: batch.Unpadded).select(2, 0).to(ScalarType.Float32);
                var rewards = RewardLoss.SequenceRewards(scores, batch, level);
                var (top, bottom) = (rewards.narrow(0, 0, chunk.Length), rewards.narrow(0, chunk.Length, chunk.Length));
                correct += top.gt(bottom).sum().item<long>();
                preferred.AddRange(top.to(ScalarType.Float64).cpu().data<double>());
                other.AddRange(bottom.to(ScalarType.Float64).cpu().data<double>());
            }
        return new RewardEvaluation(correct / examples.Count, preferred, other);
    }

    /// <summary>One JSON line per pair: both responses' tokens with their reward r_t and whether the edit changed them.</summary>
    public static void WriteTokenRewards(string path, SequenceClassifier classifier, IReadOnlyList<RewardExample> examples, TextTokenizer tokenizer, Device device)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path);
        if (examples.Count == 0) return;
        using var evaluating = EvalMode.Enter(classifier);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        foreach (var chunk in examples.Chunk(16))
        {
            using var scope = NewDisposeScope();
            var batch = RewardBatch.Build(chunk, tokenizer.PadTokenId, device);
            var scores = classifier.Scores(batch.InputIds, unpadded: batch.Unpadded).select(2, 0).to(ScalarType.Float64).cpu();
            for (int b = 0; b < chunk.Length; b++)
            {
                var e = chunk[b];
                List<RewardModelArtifacts.TokenReward> Row(int row, int[] tokens, bool[] changed) =>
                    [.. tokens.Select((id, t) => new RewardModelArtifacts.TokenReward(id == tokenizer.EosTokenId ? "<eos>" : tokenizer.Decode([id]), id,
                        scores[row, e.Prompt.Length + t].item<double>(), changed[t]))];
                writer.WriteLine(JsonSerializer.Serialize(new RewardModelArtifacts.PairRow(e.Pair.Instruction, Row(b, e.Preferred, e.PreferredChanged),
                    Row(chunk.Length + b, e.Other, e.OtherChanged)), json));
            }
        }
    }
}
