using AlignLab.Core.Evaluation;
using Item = AlignLab.Core.Evaluation.EvaluationArtifacts.ItemRow;

namespace AlignLab.Core.Tests;

/// <summary>The metrics of fixed item records, against values counted by hand.</summary>
public class EvaluationResultsTests
{
    [Fact]
    public void RewardAndTextStatisticsOfFixedResponsesAreWhatTheyCountToByHand()
    {
        // Three responses with rewards 1, 2 and 6: mean 3, median 2.
        // Words: "a b c d" 4, "a b" 2, "a b a b a" 5 → mean 11/3.
        // repeat_4gram: 0 (one 4-gram), 0 (none), "a b a b a" has 4-grams abab, baba → both unique → 0.
        // distinct_1 over all words: {a, b, c, d} / 11 = 4/11; distinct_2: bigrams ab bc cd | ab | ab ba ab ba → unique {ab, bc, cd, ba} = 4 of 8.
        Item[] items =
        [
            new("m", "gen", 0, "Say a.", Response: "a b c d", Reward: 1),
            new("m", "gen", 1, "Say b.", Response: "a b", Reward: 6),
            new("m", "gen", 2, "Say c.", Response: "a b a b a", Reward: 2),
        ];
        var results = EvaluationResults.Compute(items, resamples: 200, seed: 3).ToDictionary(r => r.Metric);
        Assert.Equal(3.0, results["reward_mean"].Value, 12);
        Assert.Equal(2.0, results["reward_median"].Value, 12);
        Assert.Equal(11.0 / 3, results["words"].Value, 12);
        Assert.Equal(0.0, results["repeat_4gram"].Value, 12);
        Assert.Equal(4.0 / 11, results["distinct_1"].Value, 12);
        Assert.Equal(4.0 / 8, results["distinct_2"].Value, 12);
        // The bootstrap interval of the mean reward lies within the rewards' range and holds the mean.
        Assert.InRange(results["reward_mean"].Low, 1, 3);
        Assert.InRange(results["reward_mean"].High, 3, 6);
        Assert.Equal(3, results["reward_mean"].Items);
    }

    [Fact]
    public void AccuracyAndWinRateCountWhatTheRecordsSay()
    {
        // Four items: predictions right on 0, 1, 3 (acc 3/4); normalised right on 1 only (acc_norm 1/4).
        Item[] items =
        [
            new("m", "mc", 0, "q", [-1.0, -2.0], Prediction: 0, PredictionNorm: 1, Answer: 0),
            new("m", "mc", 1, "q", [-1.0, -2.0], Prediction: 1, PredictionNorm: 1, Answer: 1),
            new("m", "mc", 2, "q", [-1.0, -2.0], Prediction: 0, PredictionNorm: 0, Answer: 1),
            new("m", "mc", 3, "q", [-1.0, -2.0], Prediction: 0, PredictionNorm: 1, Answer: 0),
        ];
        // Judgements: 1, ½, 0 and one failed → win rate ½ over three items, one failure.
        EvaluationArtifacts.JudgementRow[] judgements =
        [
            new("m", "gen", 0, "reference", 1), new("m", "gen", 1, "reference", 0.5), new("m", "gen", 2, "reference", 0), new("m", "gen", 3, "reference", null, Error: "gave up"),
        ];
        var results = EvaluationResults.Compute(items, 200, 1, judgements).ToDictionary(r => r.Metric);
        Assert.Equal(0.75, results["acc"].Value, 12);
        Assert.Equal(0.25, results["acc_norm"].Value, 12);
        Assert.Equal((0.5, 3), (results["win_rate"].Value, results["win_rate"].Items));
        Assert.Equal(1, results["judge_failed"].Value);
    }
}
