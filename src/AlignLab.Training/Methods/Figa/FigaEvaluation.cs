using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Held-out measures of what FIGA is meant to do: the mean per-token log-probability of the revised
/// responses (should rise) and of the initial ones, and of the rewarded tokens of Ỹ and the penalised tokens of Ŷ
/// (should fall).</summary>
public sealed record FigaEvaluation(double RevisedLogProb, double OriginalLogProb, double RewardedLogProb, double PenalisedLogProb)
{
    public IEnumerable<(string Name, double Value)> Metrics() =>
    [
        ("eval_revised_logp", RevisedLogProb),
        ("eval_original_logp", OriginalLogProb),
        ("eval_rewarded_token_logp", RewardedLogProb),
        ("eval_penalised_token_logp", PenalisedLogProb),
    ];

    public static FigaEvaluation Measure(CausalLM model, IReadOnlyList<FigaExample> examples, int batchSize, int padTokenId, Device device)
    {
        double revised = 0, original = 0, rewarded = 0, penalised = 0;
        long revisedCount = 0, originalCount = 0, rewardedCount = 0, penalisedCount = 0;
        using (EvalMode.Enter(model))
            for (int start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = examples.Skip(start).Take(batchSize).ToList();
                var batch = FigaBatch.Build(chunk, padTokenId, device);
                var logp = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded,
                    withEntropy: false).LogProbs;                                                                        // (2B, T)
                var B = chunk.Count;
                var revisedRows = logp.narrow(0, 0, B);
                var originalRows = logp.narrow(0, B, B);
                var responses = batch.ResponseMask;
                revised += (revisedRows * responses.narrow(0, 0, B)).sum().item<float>();
                revisedCount += (long)responses.narrow(0, 0, B).sum().item<float>();
                original += (originalRows * responses.narrow(0, B, B)).sum().item<float>();
                originalCount += (long)responses.narrow(0, B, B).sum().item<float>();
                var good = batch.Rewarded.narrow(0, 0, B);
                rewarded += revisedRows.masked_select(good).sum().item<float>();
                rewardedCount += good.sum().item<long>();
                var bad = batch.Weights.narrow(0, B, B).lt(0);
                penalised += originalRows.masked_select(bad).sum().item<float>();
                penalisedCount += bad.sum().item<long>();
            }
        static double Mean(double sum, long count) => count == 0 ? 0 : sum / count;
        return new FigaEvaluation(Mean(revised, revisedCount), Mean(original, originalCount), Mean(rewarded, rewardedCount), Mean(penalised, penalisedCount));
    }
}
