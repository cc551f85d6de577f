using AlignLab.Core.Ppo;
using AlignLab.Core.R3;
using AlignLab.Core.RewardHacking;
using AlignLab.Core.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>The rollouts browser's records of one PPO step, read off the step's (batch, position) tensors at each rollout's
/// response positions.</summary>
internal static class RolloutRecords
{
    /// <summary>The per-token quantities of the step, each (batch, position), zero outside the responses.</summary>
    public sealed record Channels(Tensor LogProb, Tensor RefLogProb, Tensor Kl, Tensor Value, Tensor TokenScore, Tensor Reward, Tensor Advantage);

    /// <summary>The records of the first <paramref name="samples"/>.Count rollouts of the batch.</summary>
    public static IEnumerable<RolloutRecord> Of(long step, IReadOnlyList<PpoSample> samples, TextTokenizer tokenizer, Tensor responseMask, Channels channels,
        IReadOnlyList<double[]> scores, IReadOnlyList<IReadOnlyDictionary<string, double>> components, IReadOnlyList<RolloutStat> stats)
    {
        var count = samples.Count;
        var width = (int)responseMask.shape[1];
        float[] Read(Tensor tensor) => tensor.narrow(0, 0, count).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var mask = Read(responseMask);
        var (logProb, refLogProb, kl, value, tokenScore, reward, advantage) = (Read(channels.LogProb), Read(channels.RefLogProb), Read(channels.Kl),
            Read(channels.Value), Read(channels.TokenScore), Read(channels.Reward), Read(channels.Advantage));
        for (int i = 0; i < count; i++)
        {
            var positions = Enumerable.Range(i * width, width).Where(p => mask[p] > 0).ToArray();
            IReadOnlyList<float> At(float[] values) => [.. positions.Select(p => values[p])];
            var sample = samples[i];
            yield return new RolloutRecord(step, i, QueryText.Of(sample.Instruction, sample.Input), sample.ResponseText,
                [.. sample.Response.Select(tokenizer.TokenText)], At(logProb), At(refLogProb), At(kl), At(value), At(tokenScore), At(reward), At(advantage),
                scores[i].Sum(), i < components.Count ? components[i] : null, stats[i].CopiesQuery, stats[i].Repetitive, stats[i].Truncated);
        }
    }
}
