using AlignLab.Core.R3;
using AlignLab.Training.Retrieval;
using AlignLab.Testing;

namespace AlignLab.Training.Tests;

/// <summary>The dense retriever for R³: a tiny BERT in Hugging Face layout, built so that its output can be worked out
/// by hand (<see cref="TestRetrievers.CreateTiny"/>), loaded from its folder and scored with mean pooling and a dot product.</summary>
public sealed class RetrieverScorerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("alignlab-bert-").FullName;

    private void WriteTinyBert() => TestRetrievers.CreateTiny(_folder);

    [Fact]
    public void MeanPoolingOverTheMaskAndTheDotProductMatchTheHandComputedValues()
    {
        WriteTinyBert();
        using var scorer = RetrieverScorer.Load(_folder);
        Assert.Equal([2, 5, 3], scorer.Encode("Paris"));                 // lower-cased WordPiece between [CLS] and [SEP]
        Assert.Equal([2, 6, 7, 1, 3], scorer.Encode("the capital Rome"));  // an unknown word is [UNK]
        Assert.Equal([2, 8, 5, 3], scorer.Encode("Café PARIS"));           // accents stripped with lower-casing, as BertTokenizer does

        // "Paris": signs (+, −, +), mean 1/3 → (2/3 + 0.5, −1/3). "the capital": (+, −, +, +), mean 1/2 → (1.5, −0.5).
        // One batch, so the shorter text is padded: the mask must keep the padding out of its mean.
        var embeddings = scorer.Embed(["Paris", "the capital"]);
        Assert.Equal(2 / 3.0 + 0.5, embeddings[0][0], 5);
        Assert.Equal(-1 / 3.0, embeddings[0][1], 5);
        Assert.Equal(1.5, embeddings[1][0], 5);
        Assert.Equal(-0.5, embeddings[1][1], 5);

        var relevance = scorer.Score([("Paris", "the capital")], RelevanceAnchor.Query);
        Assert.Equal((2 / 3.0 + 0.5) * 1.5 + (1 / 3.0) * 0.5, relevance[0], 5);     // a dot product, not a cosine
        Assert.Equal(3.5, scorer.ClosedEndedRange);
    }

    [Fact]
    public void ATextLongerThanThePositionsKeepsItsEnd()
    {
        // 16 positions: [CLS], 14 tokens, [SEP]. Thirteen "the", then "capital paris": 15 tokens, so the first "the" goes
        // (the authors' truncation_side "left"), and "paris" at the end stays.
        WriteTinyBert();
        using var scorer = RetrieverScorer.Load(_folder);
        var text = string.Join(" ", Enumerable.Repeat("the", 13)) + " capital paris";
        Assert.Equal([2, .. Enumerable.Repeat(6, 12), 7, 5, 3], scorer.Encode(text));
    }

    [Fact]
    public void AFolderWithoutAWordPieceVocabularyIsRefusedByName()
    {
        WriteTinyBert();
        File.Delete(Path.Combine(_folder, "vocab.txt"));
        Assert.Contains("no vocab.txt", Assert.Throws<ArgumentException>(() => RetrieverScorer.Load(_folder)).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
