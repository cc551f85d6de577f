using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace AlignLab.Core.Tokenization;

/// <summary>A model's tokenizer, from the files its folder ships:
/// <list type="bullet">
/// <item>tokenizer.json (Llama 3, Qwen, Gemma, Mistral, …) through Hugging Face's tokenizers library;</item>
/// <item>vocab.json + merges.txt (GPT-2 byte-level BPE) or tokenizer.model (SentencePiece), through Microsoft.ML.Tokenizers.</item>
/// </list>
/// tokenizer_config.json decides the special tokens by their text, whether BOS/EOS are added, and the chat template.
/// <see cref="Encode"/> gives a text's tokens alone (a response); <see cref="EncodeWithSpecialTokens"/> adds what the
/// tokenizer adds around a text (BOS for Llama-2-style tokenizers), as transformers' add_special_tokens=True does.</summary>
public sealed class TextTokenizer
{
    public const string GenerationConfigFile = "generation_config.json";

    private readonly Func<string, int[]> _encode;
    private readonly Func<IEnumerable<int>, string> _decode;
    private readonly IReadOnlyDictionary<int, string> _specialTexts;
    private readonly TokenizerJson.PairTemplate? _pair;

    private TextTokenizer(string kind, Func<string, int[]> encode, Func<IEnumerable<int>, string> decode, int vocabularySize,
        int eosTokenId, IReadOnlyList<int> eosTokenIds, int? bosTokenId, int padTokenId, int[] prefix, int[] suffix,
        TokenizerConfig config, IReadOnlyDictionary<int, string> specialTexts, TokenizerJson.PairTemplate? pair = null)
    {
        _pair = pair;
        Kind = kind;
        _encode = encode;
        _decode = decode;
        VocabularySize = vocabularySize;
        EosTokenId = eosTokenId;
        EosTokenIds = eosTokenIds;
        BosTokenId = bosTokenId;
        PadTokenId = padTokenId;
        Prefix = prefix;
        Suffix = suffix;
        Config = config;
        _specialTexts = specialTexts;
    }

    /// <summary>Which files it was read from: "tokenizer.json", "vocab.json + merges.txt" or "tokenizer.model".</summary>
    public string Kind { get; }
    public int VocabularySize { get; }

    /// <summary>The tokenizer's EOS: ends every training response.</summary>
    public int EosTokenId { get; }

    /// <summary>Every id that ends generation: the tokenizer's EOS, and config.json's and generation_config.json's
    /// eos_token_id (one id or a list, e.g. Llama 3's &lt;|end_of_text|&gt; and &lt;|eot_id|&gt;).</summary>
    public IReadOnlyList<int> EosTokenIds { get; }
    public int? BosTokenId { get; }

    /// <summary>pad_token where the tokenizer has one, else EOS; padded positions are always masked.</summary>
    public int PadTokenId { get; }

    /// <summary>Special tokens added before and after a text by <see cref="EncodeWithSpecialTokens"/>.</summary>
    public int[] Prefix { get; }
    public int[] Suffix { get; }
    public TokenizerConfig Config { get; }

    public static TextTokenizer Load(string folder)
    {
        var config = TokenizerConfig.Read(folder);
        var modelEos = EosIds(Path.Combine(folder, Models.ModelFiles.ConfigFile)).Concat(EosIds(Path.Combine(folder, GenerationConfigFile))).ToList();
        var json = Path.Combine(folder, TokenizerJson.FileName);
        var vocab = Path.Combine(folder, "vocab.json");
        var merges = Path.Combine(folder, "merges.txt");
        var sentencePiece = Path.Combine(folder, "tokenizer.model");
        if (File.Exists(json)) return FromTokenizerJson(TokenizerJson.Load(json), config, modelEos);
        if (File.Exists(vocab) && File.Exists(merges))
        {
            using var vocabStream = File.OpenRead(vocab);
            using var mergesStream = File.OpenRead(merges);
            var tokenizer = CodeGenTokenizer.Create(vocabStream, mergesStream, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false);
            var eos = (config.EosToken is { } text && tokenizer.Vocabulary.TryGetValue(text, out var named) ? named : (int?)null) ?? tokenizer.EndOfSentenceId
                ?? throw new InvalidDataException($"{vocab} has no {ByteLevelBpeTrainer.EndOfText} token");
            return FromMicrosoftMl("vocab.json + merges.txt", tokenizer, tokenizer.Vocabulary, eos, bos: null, config, modelEos, addsBos: false);
        }
        if (File.Exists(sentencePiece))
        {
            using var model = File.OpenRead(sentencePiece);
            var tokenizer = LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
            // LlamaTokenizer adds BOS unless tokenizer_config.json says add_bos_token: false.
            return FromMicrosoftMl("tokenizer.model", tokenizer, tokenizer.Vocabulary, tokenizer.EndOfSentenceId, tokenizer.BeginningOfSentenceId,
                config, modelEos, addsBos: config.AddBosToken ?? true);
        }
        throw new FileNotFoundException($"{folder} has no tokenizer: expected tokenizer.json, vocab.json + merges.txt, or tokenizer.model");
    }

    /// <summary>The text's tokens alone, no special tokens added (special tokens written in the text still become their ids
    /// with tokenizer.json).</summary>
    public int[] Encode(string text) => _encode(text);

    /// <summary>The text's tokens with the special tokens the tokenizer adds around one sequence.</summary>
    public int[] EncodeWithSpecialTokens(string text) => [.. Prefix, .. _encode(text), .. Suffix];

    /// <summary>Whether <see cref="EncodePair"/> can join two texts (a post-processor with a pair template).</summary>
    public bool JoinsPairs => _pair is not null;

    /// <summary>A pair of texts as the tokenizer joins them for a cross-encoder (tokenizer(question, answer) in
    /// transformers): ids and the type id of each. When the pair does not fit <paramref name="maxLength"/>, tokens are cut
    /// from the end of the longer text first (transformers' "longest_first", which a reward model's caller asks for with
    /// truncation=True).</summary>
    public (int[] Ids, int[] TypeIds) EncodePair(string first, string second, int maxLength)
    {
        var pair = _pair ?? throw new NotSupportedException($"the {Kind} tokenizer has no template for a pair of texts");
        var (a, b) = (Encode(first), Encode(second));
        var room = maxLength - pair.Prefix.Length - pair.Middle.Length - pair.Suffix.Length;
        if (room < 2) throw new ArgumentException($"{maxLength} tokens leave no room for a pair of texts");
        // Longest first, as transformers' default truncation strategy does.
        while (a.Length + b.Length > room) if (b.Length >= a.Length) b = b[..^1]; else a = a[..^1];
        int[] ids = [.. pair.Prefix, .. a, .. pair.Middle, .. b, .. pair.Suffix];
        var types = new int[ids.Length];
        for (int i = pair.Prefix.Length + a.Length + pair.Middle.Length; i < ids.Length; i++) types[i] = pair.TypeOfB;
        return (ids, types);
    }

    /// <summary>Text of the ids, without special tokens.</summary>
    public string Decode(IEnumerable<int> ids) => _decode(ids);

    /// <summary>One token's text for display: a special or added token's own text, else its decoded text.</summary>
    public string TokenText(int id) => _specialTexts.TryGetValue(id, out var text) ? text : _decode([id]);

    /// <summary>The text each token adds to the decoded sequence, so that the pieces join to the whole: a token alone can
    /// decode differently (SentencePiece drops a leading space, half a UTF-8 character decodes as U+FFFD). A special or
    /// added token shows its own text.</summary>
    public IReadOnlyList<string> TokenTexts(IReadOnlyList<int> ids)
    {
        // Each token's text is what it adds to the decoding of a short window before it: the tokens emitted by the step
        // before (context enough for a decoder's leading-space rules and byte-level merges), never the whole prefix, so
        // that a long text costs linear time.
        var texts = new string[ids.Count];
        int windowStart = 0, emitted = 0;
        var windowText = "";
        for (int k = 0; k < ids.Count; k++)
        {
            if (_specialTexts.TryGetValue(ids[k], out var special))
            {
                (texts[k], windowStart, emitted, windowText) = (special, k + 1, k + 1, "");
                continue;
            }
            var decoded = _decode(ids.Skip(windowStart).Take(k + 1 - windowStart));
            // A character still incomplete after this token shows with the token that completes it.
            if (decoded.EndsWith('\uFFFD'))
            {
                texts[k] = "";
                continue;
            }
            texts[k] = decoded.StartsWith(windowText, StringComparison.Ordinal) ? decoded[windowText.Length..] : TokenText(ids[k]);
            (windowStart, emitted) = (emitted, k + 1);
            windowText = _decode(ids.Skip(windowStart).Take(emitted - windowStart));
        }
        return texts;
    }

    private static TextTokenizer FromTokenizerJson(TokenizerJson tokenizer, TokenizerConfig config, List<int> modelEos)
    {
        int? Id(string? token, string field) => token is null ? null
            : tokenizer.TokenIds.TryGetValue(token, out var id) ? id
            : throw new InvalidDataException($"{TokenizerConfig.FileName}: {field} '{token}' is not a token of {TokenizerJson.FileName}");
        var bos = Id(config.BosToken, "bos_token");
        var eos = Id(config.EosToken, "eos_token") ?? modelEos.Cast<int?>().FirstOrDefault()
            ?? throw new InvalidDataException($"no EOS token: neither {TokenizerConfig.FileName} (eos_token) nor config.json (eos_token_id) names one");
        var pad = Id(config.PadToken, "pad_token") ?? eos;
        var (prefix, suffix) = (tokenizer.Prefix, tokenizer.Suffix);
        // transformers rebuilds the post-processor from add_bos_token / add_eos_token when the config gives them.
        if (config.AddBosToken is not null || config.AddEosToken is not null)
        {
            prefix = config.AddBosToken == true && bos is { } b ? [b] : [];
            suffix = config.AddEosToken == true ? [eos] : [];
        }
        return new TextTokenizer(TokenizerJson.FileName, tokenizer.Encode, tokenizer.Decode, tokenizer.VocabularySize, eos,
            [.. new[] { eos }.Concat(modelEos).Distinct()], bos, pad, prefix, suffix, config, tokenizer.AddedTokens, tokenizer.Pair);
    }

    private static TextTokenizer FromMicrosoftMl(string kind, Tokenizer tokenizer, IReadOnlyDictionary<string, int> vocabulary, int eos, int? bos,
        TokenizerConfig config, List<int> modelEos, bool addsBos)
    {
        int? Id(string? token) => token is not null && vocabulary.TryGetValue(token, out var id) ? id : null;
        var special = new Dictionary<int, string>();
        foreach (var token in new[] { config.BosToken, config.EosToken, config.PadToken, config.UnkToken })
            if (Id(token) is { } id) special[id] = token!;
        special.TryAdd(eos, "<eos>");
        if (bos is { } b) special.TryAdd(b, "<bos>");
        return new TextTokenizer(kind,
            text => [.. tokenizer.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true)],
            ids => tokenizer.Decode(ids.Where(id => !special.ContainsKey(id))) ?? "",
            vocabulary.Count, eos, [.. new[] { eos }.Concat(modelEos).Distinct()], bos, Id(config.PadToken) ?? eos,
            addsBos && bos is { } first ? [first] : [], config.AddEosToken == true ? [eos] : [], config, special);
    }

    private static IEnumerable<int> EosIds(string path)
    {
        if (!File.Exists(path)) return [];
        try { return TokenIds(JsonNode.Parse(File.ReadAllText(path))?["eos_token_id"], Path.GetFileName(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{Path.GetFileName(path)}: not valid JSON ({e.Message})"); }
    }

    /// <summary>eos_token_id (or another token field) of a config: one id, a list of ids, or absent.</summary>
    public static List<int> TokenIds(JsonNode? node, string file) => node switch
    {
        null => [],
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => [v.GetValue<int>()],
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => [],
        JsonArray list => [.. list.Select(i => i is JsonValue id && id.GetValueKind() == JsonValueKind.Number ? id.GetValue<int>()
            : throw new InvalidDataException($"{file}: eos_token_id lists something that is not a token id"))],
        _ => throw new InvalidDataException($"{file}: eos_token_id must be a token id or a list of them"),
    };
}
