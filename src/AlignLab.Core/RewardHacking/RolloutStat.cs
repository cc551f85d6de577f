using AlignLab.Core.R3;

namespace AlignLab.Core.RewardHacking;

/// <summary>What one PPO rollout shows of the failure modes “Preference-free Alignment Learning with Regularized Relevance Reward” describes for relevance rewards: copying the
/// query, repeating itself, and growing long. Words are R³'s word/punct tokens of the lower-cased texts.</summary>
/// <param name="Words">Word/punct tokens of the response.</param>
/// <param name="Tokens">Policy tokens of the response.</param>
/// <param name="Truncated">The response hit the rollout length limit without an end-of-sequence token.</param>
/// <param name="QueryWords">Word/punct tokens of the query.</param>
/// <param name="QueryRun">Longest run of the query's words that the response repeats verbatim.</param>
/// <param name="Repeat4">Share of the response's word 4-grams that repeat an earlier one: 1 − unique / all (0 below
/// four words).</param>
public sealed record RolloutStat(long Step, int Words, int Tokens, bool Truncated, int QueryWords, int QueryRun, double Repeat4)
{
    /// <summary>A response merely copies the query (the shortcut “Preference-free Alignment Learning with Regularized Relevance Reward” saw in 40 % of the responses of a policy
    /// trained on relevance alone) when one run of the query's words makes up at least half of the response, and that
    /// run is at least half of the query and at least four words long (all of a query shorter than four words). A
    /// long answer that restates the question first does not count.</summary>
    public bool CopiesQuery => QueryWords > 0 && QueryRun >= CopyThreshold(QueryWords) && 2 * QueryRun >= Words;

    /// <summary>The longest copied run as a share of the query (0 for an empty query).</summary>
    public double QueryOverlap => QueryWords == 0 ? 0 : (double)QueryRun / QueryWords;

    /// <summary>A response is repetitive when more than half of its word 4-grams repeat an earlier one.</summary>
    public bool Repetitive => Repeat4 > 0.5;

    public static int CopyThreshold(int queryWords) => Math.Max(Math.Min(4, queryWords), (queryWords + 1) / 2);

    public static RolloutStat Measure(long step, string query, string response, int tokens, bool truncated)
    {
        var queryWords = Tokenize(query);
        var responseWords = Tokenize(response);
        return new RolloutStat(step, responseWords.Count, tokens, truncated, queryWords.Count, LongestCommonRun(queryWords, responseWords),
            Repeat(responseWords, 4));
    }

    public static IReadOnlyList<string> Tokenize(string text) => WordPunct.Tokenize(text.ToLowerInvariant());

    /// <summary>Length of the longest run of consecutive words that both sequences contain.</summary>
    public static int LongestCommonRun(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        var longest = 0;
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : 0;
                longest = Math.Max(longest, current[j]);
            }
            (previous, current) = (current, previous);
        }
        return longest;
    }

    /// <summary>1 − unique n-grams / n-grams; 0 when the text has fewer than n words.</summary>
    public static double Repeat(IReadOnlyList<string> words, int n)
    {
        var count = words.Count - n + 1;
        if (count <= 0) return 0;
        var unique = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++) unique.Add(string.Join('\u0001', words.Skip(i).Take(n)));
        return 1 - (double)unique.Count / count;
    }
}
