using AlignLab.Core.RewardHacking;

namespace AlignLab.Core.Evaluation;

/// <summary>Reference-free statistics of a set of model responses: how varied they are (distinct-n, Self-BLEU), how much
/// each repeats itself or copies its query, and how long they are. Every statistic counts the same words: the
/// lower-cased word/punct tokens of <see cref="RolloutStat.Tokenize"/>, so the numbers agree with the reward-hacking
/// signs of a PPO rollout, and repetition and query copying reuse <see cref="RolloutStat"/>'s definitions rather than
/// restating them.</summary>
public static class TextStatistics
{
    /// <summary>NLTK's <c>SmoothingFunction().method1</c> epsilon: the numerator a precision with no match gets.</summary>
    public const double SmoothingEpsilon = 0.1;

    /// <summary>Distinct-n (Li et al., 2016, “A Diversity-Promoting Objective Function for Neural Conversation Models”):
    /// the number of different word n-grams over all responses divided by the number of word n-grams over all
    /// responses. N-grams do not cross from one response into the next. 0 when no response has n words.</summary>
    public static double DistinctN(IReadOnlyList<string> responses, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var unique = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        foreach (var response in responses)
        {
            var words = RolloutStat.Tokenize(response);
            for (int i = 0; i + n <= words.Count; i++)
            {
                unique.Add(Key(words, i, n));
                total++;
            }
        }
        return total == 0 ? 0 : (double)unique.Count / total;
    }

    /// <summary>Self-BLEU (Zhu et al., 2018, Texygen): each response in turn is the hypothesis and all the other
    /// responses are its references; the score is the mean of these sentence BLEUs, in [0, 1], higher meaning less
    /// varied responses. Sentence BLEU follows NLTK's <c>sentence_bleu</c> as Texygen calls it:
    /// <list type="bullet">
    /// <item>uniform weights 1/<paramref name="maxN"/> over n = 1…<paramref name="maxN"/>: BLEU = BP · exp(Σ log pₙ / maxN);</item>
    /// <item>modified n-gram precision pₙ: each hypothesis n-gram's count is clipped by the most times it occurs in any
    /// single reference, and the clipped counts are divided by the hypothesis's n-gram count (at least 1);</item>
    /// <item>smoothing method1 (Chen and Cherry, 2014): a precision with no clipped match becomes
    /// <see cref="SmoothingEpsilon"/> / n-gram count, so one missing 4-gram does not zero the score;</item>
    /// <item>but, as in NLTK, a hypothesis that shares no word with any reference (no unigram match, which includes an
    /// empty hypothesis) scores 0 outright;</item>
    /// <item>brevity penalty BP = 1 when the hypothesis length c exceeds r, else exp(1 − r/c), with r the reference
    /// length closest to c (the shorter on a tie).</item>
    /// </list>
    /// Words are <see cref="RolloutStat.Tokenize"/>'s rather than Texygen's <c>nltk.word_tokenize</c>, so that every
    /// statistic here counts the same words.</summary>
    /// <exception cref="ArgumentException">Fewer than two responses: a response needs another to be compared with.</exception>
    public static double SelfBleu(IReadOnlyList<string> responses, int maxN = 4)
    {
        if (responses.Count < 2)
            throw new ArgumentException("Self-BLEU needs at least two responses", nameof(responses));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxN, 1);

        var words = responses.Select(RolloutStat.Tokenize).ToArray();
        // counts[i][n - 1]: how many times each n-gram occurs in response i.
        var counts = words.Select(w => Enumerable.Range(1, maxN).Select(n => NgramCounts(w, n)).ToArray()).ToArray();

        var sum = 0.0;
        for (int h = 0; h < words.Length; h++)
            sum += SentenceBleu(h, words, counts, maxN);
        return sum / words.Length;
    }

    /// <summary>The share of the response's word n-grams that repeat an earlier one: 1 − unique / all, 0 below n words
    /// (<see cref="RolloutStat.Repeat"/>, whose n = 4 is a rollout's <see cref="RolloutStat.Repeat4"/>).</summary>
    public static double RepeatedNgrams(string response, int n = 4) => RolloutStat.Repeat(RolloutStat.Tokenize(response), n);

    /// <summary>The share of responses that merely copy their query, by <see cref="RolloutStat.CopiesQuery"/>'s rule (one
    /// run of the query's words makes up at least half of the response and is long enough); 0 for no items.</summary>
    public static double CopiesQueryShare(IReadOnlyList<(string Query, string Response)> items) =>
        items.Count == 0 ? 0
            : (double)items.Count(item => RolloutStat.Measure(0, item.Query, item.Response, tokens: 0, truncated: false).CopiesQuery) / items.Count;

    /// <summary>The mean number of <see cref="RolloutStat.Tokenize"/> words of a response; 0 for no responses.</summary>
    public static double MeanWords(IReadOnlyList<string> responses) =>
        responses.Count == 0 ? 0 : responses.Average(r => (double)RolloutStat.Tokenize(r).Count);

    private static double SentenceBleu(int h, IReadOnlyList<string>[] words, Dictionary<string, int>[][] counts, int maxN)
    {
        var c = words[h].Count;
        var logSum = 0.0;
        for (int n = 1; n <= maxN; n++)
        {
            var hypothesis = counts[h][n - 1];
            var clipped = 0;
            foreach (var (gram, count) in hypothesis)
            {
                var most = 0;
                for (int r = 0; r < words.Length; r++)
                    if (r != h) most = Math.Max(most, counts[r][n - 1].GetValueOrDefault(gram, 0));
                clipped += Math.Min(count, most);
            }
            if (clipped == 0 && n == 1) return 0;       // no word in common (or an empty hypothesis): NLTK's 0
            var total = Math.Max(1, c - n + 1);
            var precision = clipped == 0 ? SmoothingEpsilon / total : (double)clipped / total;
            logSum += Math.Log(precision);
        }

        // The reference length closest to c, the shorter on a tie.
        var closest = -1;
        for (int r = 0; r < words.Length; r++)
        {
            if (r == h) continue;
            var length = words[r].Count;
            if (closest < 0 || Math.Abs(length - c) < Math.Abs(closest - c) || (Math.Abs(length - c) == Math.Abs(closest - c) && length < closest))
                closest = length;
        }
        var brevity = c > closest ? 1 : Math.Exp(1 - (double)closest / c);
        return brevity * Math.Exp(logSum / maxN);
    }

    private static Dictionary<string, int> NgramCounts(IReadOnlyList<string> words, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Count; i++)
        {
            var key = Key(words, i, n);
            counts[key] = counts.GetValueOrDefault(key, 0) + 1;
        }
        return counts;
    }

    // The same joiner as RolloutStat.Repeat: no word/punct token contains U+0001.
    private static string Key(IReadOnlyList<string> words, int start, int n) => string.Join('\u0001', words.Skip(start).Take(n));
}
