using AlignLab.Core.Alignment;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;

namespace AlignLab.Core.Previews;

/// <summary>What FIGA would do to one (initial, revised) response pair: both sides tokenized as training does (each ends
/// with EOS), the Levenshtein labels and the Eq. 1 weight of every token, and the token edit distance.</summary>
public static class FigaWeightsPreview
{
    public sealed record Token(string Text, int Id, string Label, double Weight);

    public sealed record Result(IReadOnlyList<Token> Original, IReadOnlyList<Token> Revised, int EditDistance);

    public static Result Compute(TextTokenizer tokenizer, string original, string revised, FigaOptions options)
    {
        int[] originalIds = [.. tokenizer.Encode(original), tokenizer.EosTokenId];
        int[] revisedIds = [.. tokenizer.Encode(revised), tokenizer.EosTokenId];
        var weights = FigaWeights.For(originalIds, revisedIds, options);
        string[] Texts(int[] ids) => [.. tokenizer.TokenTexts(ids).Select((text, i) => ids[i] == tokenizer.EosTokenId ? "<eos>" : text)];
        var (originalTexts, revisedTexts) = (Texts(originalIds), Texts(revisedIds));
        return new Result(
            [.. originalIds.Select((id, i) => new Token(originalTexts[i], id, weights.OriginalChanged[i] ? FigaArtifacts.DeletedOrSubstituted : FigaArtifacts.Unchanged, weights.Original[i]))],
            [.. revisedIds.Select((id, i) => new Token(revisedTexts[i], id, weights.RevisedChanged[i] ? FigaArtifacts.AddedOrSubstituted : FigaArtifacts.Unchanged, weights.Revised[i]))],
            TokenAlignment.Distance(originalIds.AsSpan(0, originalIds.Length - 1), revisedIds.AsSpan(0, revisedIds.Length - 1)));
    }
}
