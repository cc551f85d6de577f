using AlignLab.Core.RewardHacking;

namespace AlignLab.Core.Tests;

/// <summary>The reward-hacking signs of a rollout and the report over a run, against hand-counted values.</summary>
public sealed class RewardHackingTests
{
    private const string Query = "What is the capital of France?";   // what is the capital of france ? → 7 words

    [Fact]
    public void AResponseThatIsTheQueryCopiesIt()
    {
        var stat = RolloutStat.Measure(3, Query, "what is the capital of France ?", tokens: 9, truncated: false);
        Assert.Equal((3L, 7, 9, 7, 7), (stat.Step, stat.Words, stat.Tokens, stat.QueryWords, stat.QueryRun));
        Assert.Equal(1.0, stat.QueryOverlap);
        Assert.True(stat.CopiesQuery);
        Assert.Equal(0.0, stat.Repeat4);    // 4 four-grams, all different
    }

    [Fact]
    public void AnAnswerThatRestatesTheQueryFirstDoesNotCopyIt()
    {
        // 7 words of the query, then 18 more: the 7-word run is under half of the 25-word response.
        var stat = RolloutStat.Measure(1, Query,
            "What is the capital of France? The capital of France is Paris, a city on the Seine with many museums and parks.", 30, false);
        Assert.Equal((25, 7), (stat.Words, stat.QueryRun));
        Assert.False(stat.CopiesQuery);
        // Half the query in one run ("capital of France ?" → 4 of 7 words) inside a 7-word response copies it.
        var half = RolloutStat.Measure(1, Query, "Paris. Capital of France?", 5, false);
        Assert.Equal((6, 4), (half.Words, half.QueryRun));
        Assert.True(half.CopiesQuery);
        // Three words in a row are under the four a 7-word query needs.
        Assert.False(RolloutStat.Measure(1, Query, "the capital of", 3, false).CopiesQuery);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]    // shorter than four words: all of it
    [InlineData(4, 4)]
    [InlineData(7, 4)]
    [InlineData(9, 5)]    // half, rounded up
    [InlineData(20, 10)]
    public void TheCopyThresholdIsHalfTheQueryAndAtLeastFourWords(int queryWords, int threshold) =>
        Assert.Equal(threshold, RolloutStat.CopyThreshold(queryWords));

    [Fact]
    public void RepetitionCountsRepeatedFourGrams()
    {
        // a b c d a b c d: 5 four-grams (abcd bcda cdab dabc abcd), 4 unique → 1 − 4/5.
        Assert.Equal(0.2, RolloutStat.Measure(1, "q", "a b c d a b c d", 8, false).Repeat4, 12);
        // x ×8: 5 four-grams, 1 unique → 0.8, repetitive.
        var loop = RolloutStat.Measure(1, "q", "x x x x x x x x", 8, false);
        Assert.Equal(0.8, loop.Repeat4, 12);
        Assert.True(loop.Repetitive);
        // A 6-word sentence said three times: 18 words, 15 four-grams, 6 unique (one per starting word of the
        // sentence) → 1 − 6/15 = 0.6.
        var sentence = RolloutStat.Measure(1, "q", "Paris is the capital city. Paris is the capital city. Paris is the capital city.", 18, false);
        Assert.Equal(18, sentence.Words);
        Assert.Equal(0.6, sentence.Repeat4, 12);
        Assert.True(sentence.Repetitive);
        // Fewer than four words have no four-gram.
        Assert.Equal(0.0, RolloutStat.Measure(1, "q", "yes it is", 3, false).Repeat4);
    }

    [Fact]
    public void EmptyTextsAndNonAsciiTextAreHandled()
    {
        var empty = RolloutStat.Measure(1, Query, "", 0, true);
        Assert.Equal((0, 0, 0.0, false, false), (empty.Words, empty.QueryRun, empty.Repeat4, empty.CopiesQuery, empty.Repetitive));
        var noQuery = RolloutStat.Measure(1, "", "anything at all", 3, false);
        Assert.Equal((0, 0, 0.0, false), (noQuery.QueryWords, noQuery.QueryRun, noQuery.QueryOverlap, noQuery.CopiesQuery));
        // Accented words are words, and case does not matter: où est le café ? → 5 words.
        var french = RolloutStat.Measure(1, "Où est le café ?", "OÙ EST LE CAFÉ ?", 7, false);
        Assert.Equal((5, 5, 5), (french.QueryWords, french.QueryRun, french.Words));
        Assert.True(french.CopiesQuery);
    }

    [Fact]
    public void LongestCommonRunFindsTheLongestSharedStretch()
    {
        string[] a = ["a", "b", "c", "d", "e"], b = ["x", "b", "c", "y", "c", "d", "e", "z"];
        Assert.Equal(3, RolloutStat.LongestCommonRun(a, b));   // c d e
        Assert.Equal(0, RolloutStat.LongestCommonRun(a, []));
    }

    private static RolloutStat Stat(long step, int words, bool copies = false, double repeat4 = 0, bool truncated = false) =>
        new(step, words, words, truncated, QueryWords: 10, QueryRun: copies ? 10 : 2, repeat4);

    [Fact]
    public void TheReportComparesPhasesAndFlagsWhatGrew()
    {
        // Steps 1–5: five plain 10-word answers. Steps 6–10: two copies of the query, two loops, one cut at the limit,
        // and longer: 20 20 30 40 50 words.
        var stats = new List<RolloutStat>();
        for (int step = 1; step <= 5; step++) stats.Add(Stat(step, 10));
        stats.Add(Stat(6, 20, copies: true, repeat4: 0.6));
        stats.Add(Stat(7, 20, copies: true, repeat4: 0.6));
        stats.Add(Stat(8, 30, truncated: true));
        stats.Add(Stat(9, 40));
        stats.Add(Stat(10, 50));

        var report = RewardHackingReport.Build(stats, phases: 2, bins: 4);
        Assert.Equal(10, report.Rollouts);
        var (first, last) = (report.Phases[0], report.Phases[1]);
        Assert.Equal((1L, 5L, 5), (first.FromStep, first.ToStep, first.Rollouts));
        Assert.Equal((6L, 10L, 5), (last.FromStep, last.ToStep, last.Rollouts));
        Assert.Equal((0.0, 0.0, 0.0, 10.0, 10.0, 10.0), (first.QueryCopyShare, first.RepetitiveShare, first.TruncatedShare, first.MeanWords, first.MedianWords, first.P90Words));
        Assert.Equal(0.4, last.QueryCopyShare, 12);
        Assert.Equal(0.24, last.MeanRepeat4, 12);           // (0.6 + 0.6) / 5
        Assert.Equal(0.4, last.RepetitiveShare, 12);
        Assert.Equal(0.2, last.TruncatedShare, 12);
        Assert.Equal(32.0, last.MeanWords, 12);             // 160 / 5
        Assert.Equal(30.0, last.MedianWords);               // nearest rank ⌈2.5⌉ = 3rd of 20 20 30 40 50
        Assert.Equal(50.0, last.P90Words);                  // ⌈4.5⌉ = 5th
        Assert.Equal((1.0 * 2 + 0.2 * 3) / 5, last.MeanQueryOverlap, 12);
        // Both length histograms on one scale, [10, 50] in bins of 10 (50 lands in the last).
        Assert.Equal((10.0, 50.0), (report.FirstLengths.Min, report.FirstLengths.Max));
        Assert.Equal([5, 0, 0, 0], report.FirstLengths.Counts);
        Assert.Equal([0, 2, 1, 2], report.LastLengths.Counts);
        Assert.Equal(4, report.Warnings.Count);
        Assert.Contains(report.Warnings, w => w.Contains("copy the query") && w.Contains("40"));
        Assert.Contains(report.Warnings, w => w.Contains("repeat more than half"));
        Assert.Contains(report.Warnings, w => w.Contains("length limit"));
        Assert.Contains(report.Warnings, w => w.Contains("from 10 to 32 words"));
    }

    [Fact]
    public void NothingIsFlaggedWhenNothingGrewAndPhasesSplitUnevenStepCounts()
    {
        var steady = Enumerable.Range(1, 3).SelectMany(step => new[] { Stat(step, 12), Stat(step, 14, copies: true) }).ToList();
        var report = RewardHackingReport.Build(steady, phases: 2);
        Assert.Empty(report.Warnings);    // half copy the query from the start: a steady share is not a trend
        Assert.Equal([(1L, 1L), (2L, 3L)], report.Phases.Select(p => (p.FromStep, p.ToStep)));
        Assert.Equal([2, 4], report.Phases.Select(p => p.Rollouts));
        // More phases than steps: one per step.
        Assert.Equal(3, RewardHackingReport.Build(steady, phases: 10).Phases.Count);
        var none = RewardHackingReport.Build([]);
        Assert.Equal((0, 0), (none.Rollouts, none.Phases.Count));
    }
}
