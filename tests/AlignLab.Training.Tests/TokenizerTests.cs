using AlignLab.Core.Tokenization;

namespace AlignLab.Training.Tests;

public class TokenizerTests
{
    private static readonly string[] Corpus =
    [
        "The quick brown fox jumps over the lazy dog.",
        "The lazy dog sleeps; the quick fox runs.",
        "Explain the difference between the fox and the dog.",
    ];

    private static (TextTokenizer Tokenizer, string Folder) Trained(int merges = 60)
    {
        var folder = TinyModels.TempFolder();
        ByteLevelBpeTrainer.Save(ByteLevelBpeTrainer.Train(Corpus, merges), folder);
        return (TextTokenizer.Load(folder), folder);
    }

    [Fact]
    public void TheAlphabetHasOnePrintableSymbolPerByte()
    {
        Assert.Equal(256, ByteLevel.ByteToSymbol.Distinct().Count());
        Assert.Equal("A", ByteLevel.ByteToSymbol['A']);
        Assert.Equal("Ġ", ByteLevel.ByteToSymbol[' ']);    // GPT-2's well-known space symbol
        Assert.Equal("Ċ", ByteLevel.ByteToSymbol['\n']);
    }

    [Fact]
    public void TrainingLearnsTheMostFrequentPairsFirst()
    {
        // " the"/"The" and " dog"/" fox" dominate the corpus: the first merge joins the most frequent pair.
        var result = ByteLevelBpeTrainer.Train(["aaab aaab aaab ab"], merges: 3);
        Assert.Equal(("a", "a"), result.Merges[0]);
        Assert.Equal(256 + result.Merges.Count + 1, result.Vocabulary.Count);
        Assert.Equal(ByteLevelBpeTrainer.EndOfText, result.Vocabulary[^1]);
    }

    [Theory]
    [InlineData("The quick brown fox.")]
    [InlineData("Unseen words: zebra, 42, naïve café — 東京!")]
    [InlineData("  spaces\n\nand newlines\t")]
    public void AnyTextRoundTripsThroughATrainedByteLevelTokenizer(string text)
    {
        var (tokenizer, _) = Trained();
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void FrequentWordsBecomeSingleTokensAndEosIsTheLastId()
    {
        var (tokenizer, _) = Trained(merges: 200);
        Assert.Single(tokenizer.Encode(" the"));
        Assert.True(tokenizer.Encode(" the").Length < " the".Length);
        Assert.Equal(tokenizer.VocabularySize - 1, tokenizer.EosTokenId);
    }

    [Fact]
    public void TemplatesKnowTheResponseSpanExactly()
    {
        var (tokenizer, _) = Trained();
        var (prompt, response) = PromptTemplate.Alpaca.Encode(tokenizer, "Name the fox.", "", "The quick fox.");
        Assert.EndsWith("### Response:\n", tokenizer.Decode(prompt));
        Assert.Equal("The quick fox.", tokenizer.Decode(response));
        Assert.Equal(tokenizer.EosTokenId, response[^1]);
        Assert.Contains("### Input:\nctx", PromptTemplate.Alpaca.Render("i", "ctx"));
        Assert.Equal("USER: hi\nASSISTANT: ", PromptTemplate.Named("chat").Render("hi", ""));
        Assert.Throws<ArgumentException>(() => PromptTemplate.Named("nope"));
    }
}
