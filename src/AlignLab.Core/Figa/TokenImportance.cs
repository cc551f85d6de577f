using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AlignLab.Core.Figa;

/// <summary>One word of Ỹ and the score an LLM gave it: 0 (no improvement) to 5 (the most).</summary>
public sealed record WordScore(string Word, int Score);

/// <summary>Table 5's LLM-annotated variants of r̃ (“Beyond Imitation”, §4.3.2 and appendix B, "Annotate the importance of
/// each word"): the prompt that asks an LLM to score the words of the better response Ỹ against the initial Ŷ, the parser
/// of its list of (word, score) tuples, and the token weights the scores give (docs/methods.md, FIGA).</summary>
public static partial class TokenImportance
{
    public const int MaxScore = 5;

    /// <summary>ChatGPT (weighted): a scored word's tokens weigh from this (score 0)…</summary>
    public const double WeightedLow = 0.7;

    /// <summary>…to this (score 5), linearly.</summary>
    public const double WeightedHigh = 1.3;

    /// <summary>ChatGPT (weighted): the weight of a token whose word the LLM did not score.</summary>
    public const double WeightedUnscored = 0.3;

    /// <summary>The paper's prompt (appendix B), with Ŷ as the original and Ỹ as the better response.</summary>
    public static string Prompt(string question, string original, string better) =>
        "Below is an instruction that describes a task, followed by an original response and a better response in terms of how well it " +
        "aligns with human preferences, being helpful, harmless, and honest. Your task is to return a list containing tuples with words " +
        "and corresponding scores, which are meant to measure the extent to which the words improve the quality of the original answer " +
        "to the better answer. The scores are all integers, with 0 being the lowest score and 5 being the highest score.\n" +
        $"Instruction: {question}\nOriginal Response: {original}\nBetter Response: {better}";

    /// <summary>The (word, score) tuples of an answer such as <c>[("Paris", 5), ('capital', 2)]</c> (brackets or
    /// parentheses, either quote); null when the answer holds none and is not an empty list, or a score is outside 0–5.</summary>
    public static IReadOnlyList<WordScore>? Parse(string answer)
    {
        var scores = new List<WordScore>();
        foreach (Match m in TupleRegex().Matches(answer))
        {
            if (!int.TryParse(m.Groups["score"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var score)
                || score is < 0 or > MaxScore) return null;
            scores.Add(new WordScore(m.Groups["word"].Value, score));
        }
        return scores.Count > 0 || EmptyListRegex().IsMatch(answer) ? scores : null;
    }

    /// <summary>The r̃ weight of each token of Ỹ (EOS excluded) and whether it counts as rewarded (its word scored above 0).
    /// A token belongs to the word of its first letter or digit; the LLM names words, not positions, so every occurrence
    /// of a scored word takes its score (the highest, if it is named twice). Words compare case-insensitively, as runs of
    /// letters and digits (an LLM's "Paris." is the word paris).</summary>
    /// <param name="tokenTexts">The text each token adds to Ỹ (<see cref="Tokenization.TextTokenizer.TokenTexts"/>).</param>
    public static (double[] Weights, bool[] Rewarded) Weights(IReadOnlyList<string> tokenTexts, IReadOnlyList<WordScore> scores, GoodTokenLabels labels)
    {
        if (labels is not (GoodTokenLabels.LlmWeighted or GoodTokenLabels.LlmBinary))
            throw new ArgumentException($"{labels} does not weigh tokens by word scores", nameof(labels));
        var scoreOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (phrase, score) in scores)
            foreach (Match word in WordRegex().Matches(phrase))
                scoreOf[Normalize(word.Value)] = Math.Max(score, scoreOf.GetValueOrDefault(Normalize(word.Value), 0));

        // Each character of Ỹ → the word it is part of (or none).
        var text = new StringBuilder();
        foreach (var piece in tokenTexts) text.Append(piece);
        var wordAt = new string?[text.Length];
        foreach (Match word in WordRegex().Matches(text.ToString()))
            for (int c = word.Index; c < word.Index + word.Length; c++) wordAt[c] = Normalize(word.Value);

        var (weights, rewarded) = (new double[tokenTexts.Count], new bool[tokenTexts.Count]);
        var start = 0;
        for (int k = 0; k < tokenTexts.Count; k++)
        {
            var piece = tokenTexts[k];
            var first = piece.AsSpan().IndexOfAnyExcept(Separators);
            int? score = first >= 0 && wordAt[start + first] is { } w && scoreOf.TryGetValue(w, out var s) ? s : null;
            weights[k] = (labels, score) switch
            {
                (GoodTokenLabels.LlmWeighted, { } given) => WeightedLow + (WeightedHigh - WeightedLow) * given / MaxScore,
                (GoodTokenLabels.LlmWeighted, null) => WeightedUnscored,
                (_, > 0) => 1,
                _ => 0,
            };
            rewarded[k] = score > 0;
            start += piece.Length;
        }
        return (weights, rewarded);
    }

    private static string Normalize(string word) => word.ToLowerInvariant();

    // Characters that start no word: a token's first letter or digit decides its word.
    private static readonly System.Buffers.SearchValues<char> Separators = System.Buffers.SearchValues.Create(
        " \t\r\n.,;:!?\"'()[]{}<>-–—/\\*#`~|_=+&%$@^");

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")]
    private static partial Regex WordRegex();

    [GeneratedRegex("""[\(\[]\s*(?<q>["'])(?<word>.*?)\k<q>\s*,\s*(?<score>[+\-]?\d+)\s*[\)\]]""")]
    private static partial Regex TupleRegex();

    [GeneratedRegex(@"^\s*\[\s*\]\s*$")]
    private static partial Regex EmptyListRegex();
}
