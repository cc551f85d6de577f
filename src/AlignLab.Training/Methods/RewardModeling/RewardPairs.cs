using AlignLab.Core.Alignment;
using AlignLab.Core.Datasets;
using AlignLab.Core.Tokenization;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>A preference pair for reward modelling: <see cref="Preferred"/> ≻ <see cref="Other"/> for one prompt.</summary>
public sealed record RewardPair(string Instruction, string Input, string Preferred, string Other);

/// <summary>A tokenized pair: prompt and both responses (with EOS), and which response tokens the minimal edit changed
/// (U1, from the Levenshtein alignment of Other → Preferred).</summary>
public sealed record RewardExample(RewardPair Pair, int[] Prompt, int[] Preferred, int[] Other, bool[] PreferredChanged, bool[] OtherChanged);

/// <summary>Where reward pairs come from. The data of “Aligning Large Language Models via Fine-grained Supervision” is SPA-shaped: from a preference set (x, y_w, y_l) it keeps
/// y_l and edits it minimally. So a stored SPA dataset gives both kinds of pairs: "edited" (revised ≻ original, the
/// fine-grained data) and "original" (output ≻ original, the standard pairs the baseline RM trains on).</summary>
public static class RewardPairs
{
    public const string Demo = "demo-edits";
    public const string Edited = "edited", Original = "original";

    /// <summary>What each kind of pair needs of a record: edited pairs Ỹ ≻ Ŷ, standard pairs Y ≻ Ŷ.</summary>
    public static RecordPart[] Needs(string kind) =>
        kind == Original ? [RecordPart.Output, RecordPart.Original] : [RecordPart.Original, RecordPart.Revised];

    public static IReadOnlyList<RewardPair> From(IReadOnlyList<SpaRecord> records, string kind) =>
        [.. records.Select(r => new RewardPair(r.Instruction, r.Input, kind == Original ? r.Output : r.RevisedOutput, r.OriginalOutput))];

    public static List<RewardExample> Tokenize(IEnumerable<RewardPair> pairs, TextTokenizer tokenizer, PromptTemplate template, int maxLength,
        ChangedTokens changedTokens = ChangedTokens.Levenshtein)
    {
        var examples = new List<RewardExample>();
        foreach (var pair in pairs)
        {
            var prompt = template.EncodePrompt(tokenizer, pair.Instruction, pair.Input);
            int[] preferred = [.. tokenizer.Encode(pair.Preferred), tokenizer.EosTokenId];
            int[] other = [.. tokenizer.Encode(pair.Other), tokenizer.EosTokenId];
            if (prompt.Length + Math.Max(preferred.Length, other.Length) > maxLength) continue;
            var (preferredChanged, otherChanged) = changedTokens == ChangedTokens.Position
                ? TokenAlignment.PositionLabels(other, preferred) : TokenAlignment.Labels(other, preferred);
            examples.Add(new RewardExample(pair, prompt, preferred, other, preferredChanged, otherChanged));
        }
        return examples;
    }
}

/// <summary>Which tokens of an edited pair are U1, the changed ones.</summary>
public enum ChangedTokens
{
    /// <summary>The Levenshtein alignment's inserts, deletes and replaces, as FIGA labels tokens (the default: an edit
    /// that inserts or deletes shifts every later position, which a reading by position would count as changed).</summary>
    Levenshtein,
    /// <summary>By position, as the paper's Eq. 4 assumes responses of equal length.</summary>
    Position,
}
