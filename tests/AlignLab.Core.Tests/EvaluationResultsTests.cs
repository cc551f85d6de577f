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

    [Fact]
    public void RelevantSentenceRatioIsTheMeanOfEachResponsesShareAndFailuresAreCountedApart()
    {
        static SentenceVerdict S(bool relevant) => new("s", relevant);
        Item[] items = [new("m", "gen", 0, "q", Response: "a"), new("m", "gen", 1, "q", Response: "b"), new("m", "gen", 2, "q", Response: "c")];
        // 2 of 3 relevant, 1 of 1, and a failure: (2/3 + 1) / 2 = 5/6 over two responses (not 3 of 4 sentences pooled).
        EvaluationArtifacts.RelevanceRow[] relevance =
        [
            new("m", "gen", 0, [S(true), S(false), S(true)]), new("m", "gen", 1, [S(true)]), new("m", "gen", 2, null, "gave up"),
        ];
        var results = EvaluationResults.Compute(items, 200, 1, relevance: relevance).ToDictionary(r => r.Metric);
        Assert.Equal(5.0 / 6, results["rel_sentences"].Value, 12);
        Assert.Equal(2, results["rel_sentences"].Items);
        Assert.Equal(1, results["relevance_failed"].Value);
    }

    [Fact]
    public void TheLengthControlledWinRateReadsTheLengthsOfTheResponseAndOfTheBaselinesText()
    {
        // Every response is 5 characters; the baseline's texts are 1 or 30, so only the baseline's lengths split the items
        // into two groups, d = +4 (p₊ = mean y = ¾) and d = −25 (p₋ = ½). With two groups the fit has a closed form:
        // sigmoid(θ + φ·x±) = p± with x± = tanh(d±/σ), σ the sample standard deviation of d. Reading the wrong lengths makes
        // every difference equal, the length term is dropped and the value is the plain win rate, 0.625.
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        static double Logit(double p) => Math.Log(p / (1 - p));
        var sigma = 14.5 * 2 / Math.Sqrt(3);        // d = 4, 4, −25, −25: mean −10.5, deviations ±14.5, n − 1 = 3
        var (xPlus, xMinus) = (Math.Tanh(4 / sigma), Math.Tanh(-25 / sigma));
        var phi = (Logit(0.75) - Logit(0.5)) / (xPlus - xMinus);
        var expected = Sigmoid(Logit(0.75) - phi * xPlus);
        var thirty = new string('b', 30);
        double[] y = [1, 0.5, 0.5, 0.5];

        // Against the reference answers.
        Item[] items = [.. new[] { "b", "b", thirty, thirty }.Select((reference, i) => new Item("m", "gen", i, "q", Response: "rrrrr", Reference: reference))];
        EvaluationArtifacts.JudgementRow[] judgements = [.. y.Select((score, i) => new EvaluationArtifacts.JudgementRow("m", "gen", i, "reference", score))];
        var results = EvaluationResults.Compute(items, 100, 1, judgements, lengthControlled: true).ToDictionary(r => r.Metric);
        Assert.Equal(expected, results["win_rate_lc"].Value, 9);
        Assert.Equal(0.625, results["win_rate"].Value, 12);
        Assert.InRange(results["win_rate_lc"].Value, results["win_rate_lc"].Low, results["win_rate_lc"].High);

        // Against another model: its responses are the baseline's texts.
        Item[] two =
        [
            .. Enumerable.Range(0, 4).Select(i => new Item("m", "gen", i, "q", Response: "rrrrr")),
            .. new[] { "b", "b", thirty, thirty }.Select((text, i) => new Item("base", "gen", i, "q", Response: text)),
        ];
        EvaluationArtifacts.JudgementRow[] versus = [.. y.Select((score, i) => new EvaluationArtifacts.JudgementRow("m", "gen", i, "base", score))];
        Assert.Equal(expected, EvaluationResults.Compute(two, 100, 1, versus, lengthControlled: true).Single(r => r.Metric == "win_rate_lc").Value, 9);

        // Only when asked.
        Assert.DoesNotContain(EvaluationResults.Compute(items, 100, 1, judgements), r => r.Metric == "win_rate_lc");
    }

    [Fact]
    public void MultipleChoiceAccuracyIsAlsoGivenPerGroup()
    {
        // female: right, wrong → ½; male: right → 1; the ungrouped item counts only in the overall acc (3/4).
        Item[] items =
        [
            new("m", "wg", 0, "q", [-1.0, -2.0], Prediction: 0, PredictionNorm: 0, Answer: 0, Group: "female"),
            new("m", "wg", 1, "q", [-1.0, -2.0], Prediction: 0, PredictionNorm: 0, Answer: 1, Group: "female"),
            new("m", "wg", 2, "q", [-1.0, -2.0], Prediction: 1, PredictionNorm: 1, Answer: 1, Group: "male"),
            new("m", "wg", 3, "q", [-1.0, -2.0], Prediction: 1, PredictionNorm: 1, Answer: 1),
        ];
        var results = EvaluationResults.Compute(items, 100, 1).ToDictionary(r => r.Metric);
        Assert.Equal(0.75, results["acc"].Value, 12);
        Assert.Equal((0.5, 2), (results["acc/female"].Value, results["acc/female"].Items));
        Assert.Equal((1.0, 1), (results["acc/male"].Value, results["acc/male"].Items));
        Assert.Equal(["acc", "acc/female", "acc/male", "acc_norm"], results.Keys.Order(StringComparer.Ordinal));
    }
}
