using System.Text.Json;
using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Core.Text;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Rewards;

namespace AlignLab.Training.Methods.Figa;

/// <summary>What Table 5's variants of “Beyond Imitation” need before training: an LLM's scores of every revision's words
/// (ChatGPT weighted and binary), asked once per pair and kept in the run's artifacts so that a resumed run does not ask
/// again, and α and β from a reward model's scores of both responses (R(·)).</summary>
public static class FigaVariants
{
    public const string WordScoresFile = "word_scores.jsonl";

    /// <summary>Pairs asked at once.</summary>
    public const int Parallelism = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record ScoredPair(int Index, IReadOnlyList<WordScore> Words);

    public static async Task<FigaSignals?> SignalsAsync(IReadOnlyList<SpaRecord> records, FigaRunOptions options, ITokenImportanceAnnotator? annotator,
        RewardModel? rewardModel, PromptTemplate template, IRunContext context)
    {
        var words = options.Figa.UsesWordScores ? await WordScoresAsync(records, annotator, context) : null;
        var rewards = options.RewardWeights == RewardScaledWeights.None ? null : RewardWeights(records, options, rewardModel, template);
        if (rewards is not null)
        {
            context.Metrics.Report(0, "reward_alpha_mean", rewards.Average(r => r.Alpha));
            context.Metrics.Report(0, "reward_beta_mean", rewards.Average(r => r.Beta));
        }
        return words is null && rewards is null ? null : new FigaSignals(words, rewards);
    }

    /// <summary>Every pair's word scores: those kept from an earlier attempt of the run, then the rest asked
    /// <see cref="Parallelism"/> at a time, each written as it comes. A pair the endpoint gives up on fails the run.</summary>
    private static async Task<IReadOnlyList<IReadOnlyList<WordScore>>> WordScoresAsync(IReadOnlyList<SpaRecord> records, ITokenImportanceAnnotator? annotator,
        IRunContext context)
    {
        if (EndpointAvailability.Problem(annotator, annotator?.NotConfiguredReason) is { } why)
            throw new InvalidOperationException($"{why}; it scores the revisions' words");
        var path = Path.Combine(context.ArtifactDirectory, WordScoresFile);
        var scores = new IReadOnlyList<WordScore>?[records.Count];
        // A pair whose line a killed worker cut short is asked again.
        foreach (var pair in JsonLines.Read<ScoredPair>(path, Json).Where(p => p.Index >= 0 && p.Index < scores.Length))
            scores[pair.Index] = pair.Words;
        var missing = Enumerable.Range(0, records.Count).Where(i => scores[i] is null).ToList();
        await using (var writer = JsonLines.Append(path))
        {
            var gate = new SemaphoreSlim(1);
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = context.CancellationToken },
                async (i, ct) =>
                {
                    var r = records[i];
                    try { scores[i] = await annotator.ScoreAsync(RevisionPrompts.Question(r.Instruction, r.Input), r.OriginalOutput, r.RevisedOutput, ct); }
                    catch (TokenImportanceFailedException e)
                    {
                        throw new InvalidOperationException($"scoring the words of pair {i + 1} failed: {e.Message}", e);
                    }
                    await gate.WaitAsync(ct);
                    try
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(new ScoredPair(i, scores[i]!), Json));
                        await writer.FlushAsync(ct);
                    }
                    finally { gate.Release(); }
                });
        }
        context.Metrics.Report(0, "pairs_word_scored", missing.Count);
        return scores!;
    }

    /// <summary>R(X, Ỹ) and R(X, Ŷ) of every pair, min-max scaled into α and β (<see cref="RewardPairWeights"/>).</summary>
    private static (double Alpha, double Beta)[] RewardWeights(IReadOnlyList<SpaRecord> records, FigaRunOptions options, RewardModel? rewardModel,
        PromptTemplate template)
    {
        if (rewardModel is null) throw new InvalidOperationException("reward_weights needs a reward_model to score the pairs");
        var revised = rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, r.RevisedOutput))], template, options.Optimization.BatchSize);
        var original = rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, r.OriginalOutput))], template, options.Optimization.BatchSize);
        return RewardPairWeights.For(revised, original, options.RewardWeights, options.Figa.Beta);
    }
}
