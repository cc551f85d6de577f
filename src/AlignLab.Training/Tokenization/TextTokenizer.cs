using Microsoft.ML.Tokenizers;

namespace AlignLab.Training.Tokenization;

/// <summary>A model's tokenizer, loaded from its folder through Microsoft.ML.Tokenizers: GPT-2 byte-level BPE from
/// vocab.json + merges.txt, or SentencePiece (Llama) from tokenizer.model.</summary>
public sealed class TextTokenizer
{
    private readonly Tokenizer _tokenizer;

    private TextTokenizer(Tokenizer tokenizer, int vocabularySize, int eosTokenId, int? bosTokenId)
    {
        _tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        EosTokenId = eosTokenId;
        BosTokenId = bosTokenId;
    }

    public int VocabularySize { get; }
    public int EosTokenId { get; }
    public int? BosTokenId { get; }

    /// <summary>Padding uses EOS, as GPT-2 and Llama setups commonly do; padded positions are always masked.</summary>
    public int PadTokenId => EosTokenId;

    public static TextTokenizer Load(string folder)
    {
        var vocab = Path.Combine(folder, "vocab.json");
        var merges = Path.Combine(folder, "merges.txt");
        var sentencePiece = Path.Combine(folder, "tokenizer.model");
        if (File.Exists(vocab) && File.Exists(merges))
        {
            using var vocabStream = File.OpenRead(vocab);
            using var mergesStream = File.OpenRead(merges);
            var tokenizer = CodeGenTokenizer.Create(vocabStream, mergesStream, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false);
            return new TextTokenizer(tokenizer, tokenizer.Vocabulary.Count, tokenizer.EndOfSentenceId
                ?? throw new InvalidDataException($"{vocab} has no {ByteLevelBpeTrainer.EndOfText} token"), null);
        }
        if (File.Exists(sentencePiece))
        {
            using var model = File.OpenRead(sentencePiece);
            var tokenizer = LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
            return new TextTokenizer(tokenizer, tokenizer.Vocabulary.Count, tokenizer.EndOfSentenceId, tokenizer.BeginningOfSentenceId);
        }
        throw new FileNotFoundException($"{folder} has no tokenizer: expected vocab.json + merges.txt, or tokenizer.model");
    }

    public int[] Encode(string text) => [.. _tokenizer.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true)];

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids.Where(id => id != EosTokenId)) ?? "";
}
