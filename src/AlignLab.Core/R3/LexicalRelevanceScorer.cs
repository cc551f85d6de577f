using System.Text.RegularExpressions;

namespace AlignLab.Core.R3;

/// <summary>The relevance scorer that needs no model weights, used when no retriever folder is configured: the cosine
/// of the two texts' content-word counts (lower-cased words, common English function words left out), in [0, 1], 0
/// when either text has no content word. It sees shared words, not meaning. Against a query it is also multiplied by
/// the share of the response's content words that are not the query's own: a lexical measure would otherwise call a
/// copy of the query perfectly relevant, and a policy would learn to echo the question. Against a reference answer
/// it is the plain cosine, since there matching the reference is the point.</summary>
public sealed partial class LexicalRelevanceScorer : IRelevanceScorer
{
    public const string Key = "lexical";

    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "will", "would",
        "can", "could", "should", "may", "might", "must", "shall", "it", "its", "this", "that", "these", "those", "there",
        "here", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "i", "you", "he", "she", "we", "they",
        "me", "him", "her", "us", "them", "my", "your", "his", "our", "their", "not", "no", "so", "than", "then", "too",
        "very", "just", "about", "also", "some", "any", "all", "each", "other", "such", "only", "own", "same", "s", "t",
    ];

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    public string Name => "Lexical overlap (cosine of content-word counts; no retriever model)";

    public double ClosedEndedRange => 1.0;

    public IReadOnlyList<double> Score(IReadOnlyList<(string Anchor, string Text)> pairs, RelevanceAnchor anchor) =>
        [.. pairs.Select(p =>
        {
            var (a, b) = (Counts(p.Anchor), Counts(p.Text));
            return anchor == RelevanceAnchor.Query ? Cosine(a, b) * Novelty(a, b) : Cosine(a, b);
        })];

    /// <summary>The share of <paramref name="text"/>'s content words that <paramref name="anchor"/> does not contain.</summary>
    private static double Novelty(Dictionary<string, int> anchor, Dictionary<string, int> text)
    {
        var total = text.Values.Sum();
        return total == 0 ? 0 : text.Where(kv => !anchor.ContainsKey(kv.Key)).Sum(kv => kv.Value) / (double)total;
    }

    private static Dictionary<string, int> Counts(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(text.ToLowerInvariant()))
            if (!StopWords.Contains(match.Value)) counts[match.Value] = counts.GetValueOrDefault(match.Value) + 1;
        return counts;
    }

    private static double Cosine(Dictionary<string, int> a, Dictionary<string, int> b)
    {
        if (a.Count == 0 || b.Count == 0) return 0;
        double dot = a.Sum(kv => (double)kv.Value * b.GetValueOrDefault(kv.Key));
        return dot / (Math.Sqrt(a.Values.Sum(v => (double)v * v)) * Math.Sqrt(b.Values.Sum(v => (double)v * v)));
    }
}
