namespace AlignLab.Core.R3;

/// <summary>One response's R³ reward and its parts: the relevance used (to the query for OE, to the reference for CE),
/// the length incentive, the repetition penalty, the branch taken and the total.</summary>
public sealed record R3Score(double Relevance, double LengthIncentive, double RepetitionPenalty, QueryType Branch, double Total);

/// <summary>What to score: a query, a response (as generated; it is cleaned here), the reference answer and the query's type.</summary>
public sealed record R3Item(string Query, string Response, string Reference, QueryType Type);

/// <summary>The regularised relevance reward of “Preference-free Alignment Learning with Regularized Relevance Reward”, as docs/methods.md (R³ PPO) defines it:
/// OE: rel(x, y) · LI(y) · RP(y); CE: interp(rel(ŷ_ref, y)) · RP(y), where interp maps [0, range] linearly onto
/// [0, max_len / 100] and, as the authors' code, continues the line outside it; LI = word/punct tokens / 100; RP = unique trigrams / trigrams.</summary>
public static class R3Reward
{
    public const int DefaultMaxLength = 512;

    public static double LengthIncentive(IReadOnlyList<string> tokens) => tokens.Count / 100.0;

    /// <summary>|unique token trigrams| / |token trigrams|; 1 for fewer than three tokens.</summary>
    public static double RepetitionPenalty(IReadOnlyList<string> tokens)
    {
        if (tokens.Count < 3) return 1;
        var trigrams = Enumerable.Range(0, tokens.Count - 2).Select(i => (tokens[i], tokens[i + 1], tokens[i + 2])).ToList();
        return trigrams.Distinct().Count() / (double)trigrams.Count;
    }

    /// <summary>The line through (0, 0) and (range, maxLength / 100), unclamped on both sides, as the authors'
    /// linear_interpolation (reward_model.py) computes it: a relevance above the range earns more than max_len / 100
    /// (np.interp, which the paper's wording suggests, would clamp it).</summary>
    public static double Interpolate(double relevance, double range, int maxLength) =>
        relevance / range * (maxLength / 100.0);

    /// <summary>The branch a query of <paramref name="type"/> takes under <paramref name="ablation"/>.</summary>
    public static QueryType Branch(QueryType type, R3Ablation ablation) => ablation == R3Ablation.NoClosedEndedBranch ? QueryType.OpenEnded : type;

    /// <summary>The reward of a response already cleaned, given the relevance of its branch.</summary>
    public static R3Score Score(string cleanedResponse, QueryType branch, double relevance, double closedEndedRange, int maxLength, R3Ablation ablation)
    {
        var tokens = WordPunct.Tokenize(cleanedResponse);
        var li = LengthIncentive(tokens);
        var rp = ablation == R3Ablation.NoRepetitionPenalty ? 1 : RepetitionPenalty(tokens);
        var total = ablation switch
        {
            R3Ablation.LengthOnly => li,
            R3Ablation.NoRelevance => li * rp,
            _ when branch == QueryType.ClosedEnded => Interpolate(relevance, closedEndedRange, maxLength) * rp,
            _ => relevance * li * rp,
        };
        return new R3Score(relevance, li, rp, branch, total);
    }

    /// <summary>Cleans every response, scores the relevance of each against its branch's text in one batch, and
    /// returns the rewards. (The random-query-type ablation draws the types before calling this.)</summary>
    /// <param name="roleMarkers">The prompt template's role markers, where clean-up cuts (with the authors' separators);
    /// null: USER:/ASSISTANT:.</param>
    /// <param name="relevanceText">Which text relevance is measured on; LI and RP always see the cleaned response.</param>
    public static IReadOnlyList<R3Score> ScoreAll(IReadOnlyList<R3Item> items, IRelevanceScorer scorer, int maxLength = DefaultMaxLength,
        R3Ablation ablation = R3Ablation.None, IReadOnlyList<string>? roleMarkers = null, RelevanceText relevanceText = RelevanceText.Cleaned)
    {
        var cleaned = items.Select(i => ResponseCleanup.Clean(i.Response, roleMarkers ?? ResponseCleanup.DefaultMarkers)).ToList();
        var branches = items.Select(i => Branch(i.Type, ablation)).ToList();
        var relevance = new double[items.Count];
        foreach (var anchor in new[] { RelevanceAnchor.Query, RelevanceAnchor.Reference })
        {
            var indexes = Enumerable.Range(0, items.Count).Where(k => (branches[k] == QueryType.ClosedEnded) == (anchor == RelevanceAnchor.Reference)).ToList();
            if (indexes.Count == 0) continue;
            var scores = scorer.Score([.. indexes.Select(k => (anchor == RelevanceAnchor.Query ? items[k].Query : items[k].Reference,
                relevanceText == RelevanceText.Raw ? items[k].Response : cleaned[k]))], anchor);
            for (int i = 0; i < indexes.Count; i++) relevance[indexes[i]] = scores[i];
        }
        return [.. items.Select((_, k) => Score(cleaned[k], branches[k], relevance[k], scorer.ClosedEndedRange, maxLength, ablation))];
    }
}

/// <summary>Which text of a response R³'s relevance is measured on.</summary>
public enum RelevanceText
{
    /// <summary>The cleaned response, as LI and RP are: the default, the reading of the method's clean-up as a step before
    /// scoring.</summary>
    Cleaned,
    /// <summary>The response as generated: the authors' reward_model.py computes relevance before its clean-up, which only
    /// feeds LI and RP.</summary>
    Raw,
}
