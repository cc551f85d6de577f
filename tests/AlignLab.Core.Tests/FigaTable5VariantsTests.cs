using AlignLab.Core.Figa;

namespace AlignLab.Core.Tests;

/// <summary>Table 5's variants of r̃ in “Beyond Imitation”: the LLM-scored word weights and the reward-scaled α and β,
/// against values worked out by hand.</summary>
public class FigaTable5VariantsTests
{
    // Ỹ = "The capital of France is Paris." as a byte-level BPE might cut it: "Paris" in two pieces.
    private static readonly string[] Pieces = ["The", " capital", " of", " France", " is", " Par", "is", "."];

    [Fact]
    public void TheParserReadsTuplesInEitherQuoteAndBracketAndRefusesWhatIsNoList()
    {
        Assert.Equal([new WordScore("Paris", 5), new WordScore("capital", 2), new WordScore("is", 0)],
            TokenImportance.Parse("""Here you go: [("Paris", 5), ('capital', 2), ["is", 0]]"""));
        Assert.Empty(TokenImportance.Parse(" [ ] ")!);
        Assert.Null(TokenImportance.Parse("Paris is the most important word."));
        Assert.Null(TokenImportance.Parse("""[("Paris", 7)]"""));
        Assert.Null(TokenImportance.Parse("""[("Paris", -1)]"""));
    }

    [Fact]
    public void WeightedScoresMapZeroToFiveOntoPointSevenToOnePointThreeAndUnscoredWordsWeighPointThree()
    {
        // paris 5 → 1.3 on both of its tokens; capital 0 → 0.7 (scored, though not rewarded); "of" 3 → 0.7 + 0.6·3/5 = 1.06;
        // The, France, is, "." unscored → 0.3. The LLM's "Paris." and "OF" are the words paris and of.
        var (weights, rewarded) = TokenImportance.Weights(Pieces,
            [new WordScore("Paris.", 5), new WordScore("capital", 0), new WordScore("OF", 3)], GoodTokenLabels.LlmWeighted);
        AssertClose([0.3, 0.7, 1.06, 0.3, 0.3, 1.3, 1.3, 0.3], weights);
        Assert.Equal([false, false, true, false, false, true, true, false], rewarded);
    }

    [Fact]
    public void BinaryGivesOneToWordsScoredAboveZeroAndZeroToTheRest()
    {
        var (weights, rewarded) = TokenImportance.Weights(Pieces,
            [new WordScore("Paris", 4), new WordScore("capital", 0), new WordScore("capital of", 1)], GoodTokenLabels.LlmBinary);
        // "capital of" scores both words 1; capital named twice keeps its higher score.
        Assert.Equal([0, 1, 1, 0, 0, 1, 1, 0], weights);
        Assert.Equal([false, true, true, false, false, true, true, false], rewarded);
    }

    [Fact]
    public void TheWordScoresReplaceAlphaAndGammaOnTheRevisionWhileItsEosKeepsAlpha()
    {
        const int Eos = 0;
        var options = new FigaOptions { GoodLabels = GoodTokenLabels.LlmWeighted, Alpha = 1, Beta = 0.5 };
        var w = FigaWeights.For([5, 6, 7, Eos], [5, 8, 7, Eos], options, ([0.3, 1.3, 0.7], [false, true, false]));
        Assert.Equal([0.3, 1.3, 0.7, 1], w.Revised);
        Assert.Equal([false, true, false, true], w.RevisedChanged);
        Assert.Equal([0, -0.5, 0, 0], w.Original);                     // Ŷ's side is still Levenshtein's, with β
        Assert.Throws<ArgumentException>(() => FigaWeights.For([5, Eos], [8, Eos], options));
        Assert.Throws<ArgumentException>(() => FigaWeights.For([5, Eos], [8, 9, Eos], options, ([1.0], [true])));
    }

    [Fact]
    public void RewardWeightsScaleAllScoresOfTheDatasetTogetherOntoZeroToOne()
    {
        // Scores R(Ỹ) = [1, 3], R(Ŷ) = [−1, 0]: min −1, max 3, range 4.
        // α = (1+1)/4 = 0.5, (3+1)/4 = 1; β = (−1+1)/4 = 0, (0+1)/4 = 0.25.
        Assert.Equal([(0.5, 0.0), (1.0, 0.25)], RewardPairWeights.For([1, 3], [-1, 0], RewardScaledWeights.AlphaBeta, beta: 0.5));
        Assert.Equal([(0.5, 0.5), (1.0, 0.5)], RewardPairWeights.For([1, 3], [-1, 0], RewardScaledWeights.Alpha, beta: 0.5));
        Assert.Equal([(1.0, 1.0)], RewardPairWeights.For([2], [2], RewardScaledWeights.AlphaBeta, beta: 0.5));
    }

    [Fact]
    public void ThePromptIsThePapersAppendixBPromptWithBothResponses()
    {
        var prompt = TokenImportance.Prompt("What is the capital of France?", "The capital of France is Lyon.", "The capital of France is Paris.");
        Assert.StartsWith("Below is an instruction that describes a task, followed by an original response and a better response", prompt);
        Assert.Contains("The scores are all integers, with 0 being the lowest score and 5 being the highest score.", prompt);
        Assert.EndsWith("Instruction: What is the capital of France?\nOriginal Response: The capital of France is Lyon.\nBetter Response: The capital of France is Paris.", prompt);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12);
    }
}
