using AlignLab.Core.Evaluation;

namespace AlignLab.Core.Tests;

/// <summary>Distinct-n, Self-BLEU, repetition, query copying and length of a set of responses, against values counted
/// by hand. Words are RolloutStat.Tokenize's lower-cased word/punct tokens.</summary>
public sealed class TextStatisticsTests
{
    [Fact]
    public void DistinctNDividesTheDifferentNGramsByAllNGramsOfAllResponses()
    {
        // "the cat sat" + "the cat ran": 6 unigrams, 4 different (the cat sat ran) → 4/6;
        // bigrams "the cat", "cat sat", "the cat", "cat ran": 4, 3 different → 3/4.
        string[] two = ["the cat sat", "the cat ran"];
        Assert.Equal(4.0 / 6, TextStatistics.DistinctN(two, 1), 1e-12);
        Assert.Equal(3.0 / 4, TextStatistics.DistinctN(two, 2), 1e-12);

        // Adding "The cat ran!" (→ the cat ran !): 3 + 3 + 4 = 10 unigrams, 5 different (the cat sat ran !) → 1/2;
        // 2 + 2 + 3 = 7 bigrams, 4 different ("the cat", "cat sat", "cat ran", "ran !") → 4/7.
        string[] three = ["the cat sat", "the cat ran", "The cat ran!"];
        Assert.Equal(0.5, TextStatistics.DistinctN(three, 1), 1e-12);
        Assert.Equal(4.0 / 7, TextStatistics.DistinctN(three, 2), 1e-12);
    }

    [Fact]
    public void DistinctNIsZeroWithoutNGramsAndNGramsDoNotCrossResponses()
    {
        // Two two-word responses have no trigram, although "a b c" would span them.
        Assert.Equal(0.0, TextStatistics.DistinctN(["a b", "c d"], 3));
        Assert.Equal(0.0, TextStatistics.DistinctN([], 1));
    }

    [Fact]
    public void SelfBleuOfIdenticalResponsesIsOne()
    {
        // Both are "the cat sat on the mat ." (7 words): every clipped count equals its n-gram count ("the" twice in
        // both), so p1…p4 = 1, and c = r = 7 gives BP = exp(1 − 7/7) = 1: BLEU = 1 for each, mean 1.
        Assert.Equal(1.0, TextStatistics.SelfBleu(["The cat sat on the mat.", "the cat sat on the mat ."]));
    }

    [Fact]
    public void SelfBleuSmoothsAMissingFourGramWithEpsilonOverTheCount()
    {
        // Hypothesis "the cat sat down", reference "the cat sat up" (and the other way round, symmetric):
        //   p1 = 3/4 (the cat sat; not down), p2 = 2/3 ("the cat", "cat sat"; not "sat down"),
        //   p3 = 1/2 ("the cat sat"; not "cat sat down"), p4: 0 of 1 → method1: 0.1 / 1 = 1/10.
        //   c = r = 4 → BP = 1. BLEU = (3/4 · 2/3 · 1/2 · 1/10)^(1/4) = (1/40)^(1/4) ≈ 0.39764.
        Assert.Equal(Math.Pow(1.0 / 40, 0.25), TextStatistics.SelfBleu(["the cat sat down", "the cat sat up"]), 1e-12);
    }

    [Fact]
    public void SelfBleuClipsByTheBestSingleReferenceAndPenalisesBrevity()
    {
        // maxN = 2, weights 1/2. R1 = "the the the" (3 words), R2 = "the cat" (2), R3 = "the cat sat on" (4).
        // R1 vs {R2, R3}: r is 2 or 4 (both 1 away), the shorter 2; c = 3 > 2 → BP = 1.
        //   p1: "the" ×3, at most once in any one reference → clipped 1 → 1/3. p2: "the the" ×2, in neither → 0.1/2 = 1/20.
        //   BLEU = (1/3 · 1/20)^(1/2) = √(1/60) ≈ 0.129099.
        // R2 vs {R1, R3}: r = 3 (1 away; 4 is 2 away); c = 2 ≤ 3 → BP = exp(1 − 3/2) = exp(−0.5).
        //   p1: "the" once (R1 has it 3 times: min(1, 3) = 1), "cat" once (R3) → 2/2. p2: "the cat" (R3) → 1/1.
        //   BLEU = exp(−0.5) ≈ 0.606531.
        // R3 vs {R1, R2}: r = 3; c = 4 > 3 → BP = 1.
        //   p1: the, cat match; sat, on do not → 2/4. p2: "the cat" matches; "cat sat", "sat on" do not → 1/3.
        //   BLEU = (1/2 · 1/3)^(1/2) = √(1/6) ≈ 0.408248.
        // Mean = (√(1/60) + exp(−0.5) + √(1/6)) / 3 ≈ 0.381293.
        var expected = (Math.Sqrt(1.0 / 60) + Math.Exp(-0.5) + Math.Sqrt(1.0 / 6)) / 3;
        Assert.Equal(expected, TextStatistics.SelfBleu(["the the the", "the cat", "the cat sat on"], maxN: 2), 1e-12);
    }

    [Fact]
    public void SelfBleuIsZeroForResponsesWithNoWordInCommonOrNoWords()
    {
        // No unigram matches: NLTK returns 0 before smoothing, for both hypotheses.
        Assert.Equal(0.0, TextStatistics.SelfBleu(["red apple", "blue sky"]));
        // The empty hypothesis scores 0; "anything" has nothing to match in the empty reference.
        Assert.Equal(0.0, TextStatistics.SelfBleu(["", "anything"]));
    }

    [Fact]
    public void SelfBleuNeedsTwoResponses()
    {
        Assert.Throws<ArgumentException>(() => TextStatistics.SelfBleu(["only one"]));
        Assert.Throws<ArgumentException>(() => TextStatistics.SelfBleu([]));
    }

    [Fact]
    public void RepeatedNgramsIsTheShareOfNGramsThatRepeatAnEarlierOne()
    {
        // "To be or not to be or not" → to be or not to be or not: 8 words, 5 four-grams (to-be-or-not, be-or-not-to, or-not-to-be, not-to-be-or,
        // to-be-or-not), 4 different → 1 − 4/5 = 0.2.
        Assert.Equal(0.2, TextStatistics.RepeatedNgrams("To be or not to be or not"), 1e-12);
        // Its 7 bigrams (to-be be-or or-not not-to to-be be-or or-not) hold 4 different → 1 − 4/7 = 3/7.
        Assert.Equal(3.0 / 7, TextStatistics.RepeatedNgrams("to be or not to be or not", 2), 1e-12);
        // Three words have no four-gram.
        Assert.Equal(0.0, TextStatistics.RepeatedNgrams("yes it is"));
    }

    [Fact]
    public void CopiesQueryShareCountsTheResponsesThatAreTheQuery()
    {
        // The first response is the query's 7 words; "Paris." (paris .) shares no run with it → 1 of 2.
        const string query = "What is the capital of France?";
        Assert.Equal(0.5, TextStatistics.CopiesQueryShare([(query, "what is the capital of France ?"), (query, "Paris.")]));
        Assert.Equal(0.0, TextStatistics.CopiesQueryShare([]));
    }

    [Fact]
    public void MeanWordsCountsWordAndPunctuationTokens()
    {
        // "the cat sat" → 3; "Hello, world!" → hello , world ! → 4. Mean 3.5.
        Assert.Equal(3.5, TextStatistics.MeanWords(["the cat sat", "Hello, world!"]));
        Assert.Equal(0.0, TextStatistics.MeanWords([]));
    }
}
