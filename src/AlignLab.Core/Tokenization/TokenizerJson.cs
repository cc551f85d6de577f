using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Tokenization;

/// <summary>A tokenizer.json run by Hugging Face's tokenizers library itself (the Rust implementation, through
/// Tokenizers.DotNet), so that normalizers, pre-tokenizers, byte fallback and added tokens behave exactly as in
/// transformers. Added tokens written in text (such as "&lt;|im_start|&gt;") become their ids.
/// The wrapper always applies the post-processor, so the library is given a copy of the file without it, and the
/// special tokens a post-processor adds around one sequence (BOS, CLS/SEP, …) are added here from its description:
/// that keeps encoding with and without special tokens both available, as add_special_tokens is in transformers.</summary>
internal sealed class TokenizerJson
{
    public const string FileName = "tokenizer.json";

    // One native tokenizer per distinct file content, for the life of the process: they are immutable and thread-safe.
    // A node sees few distinct tokenizers (a replaced file adds one), so the map stays small.
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizers.DotNet.Tokenizer>> Natives = new();

    private readonly Tokenizers.DotNet.Tokenizer _native;

    private TokenizerJson(Tokenizers.DotNet.Tokenizer native, int vocabularySize, Dictionary<int, string> addedTokens,
        Dictionary<string, int> tokenIds, int[] prefix, int[] suffix, PairTemplate? pair)
    {
        _native = native;
        VocabularySize = vocabularySize;
        AddedTokens = addedTokens;
        TokenIds = tokenIds;
        Prefix = prefix;
        Suffix = suffix;
        Pair = pair;
    }

    /// <summary>Special tokens around a pair of sequences (A, B) and the type id of each part, as a post-processor's
    /// pair template gives them: Prefix A Middle B Suffix (e.g. [CLS] A [SEP] B [SEP]).</summary>
    public sealed record PairTemplate(int[] Prefix, int[] Middle, int[] Suffix, int TypeOfB);

    public int VocabularySize { get; }

    /// <summary>Added tokens (special or not) by id: their text is their content, whatever the decoder would make of them.</summary>
    public IReadOnlyDictionary<int, string> AddedTokens { get; }

    /// <summary>Ids of the added tokens and of every vocabulary entry, by their text.</summary>
    public IReadOnlyDictionary<string, int> TokenIds { get; }

    /// <summary>The special tokens the post-processor puts before and after a single sequence.</summary>
    public int[] Prefix { get; }
    public int[] Suffix { get; }

    /// <summary>The post-processor's template for a pair of texts (a question and an answer to score); null when it has none.</summary>
    public PairTemplate? Pair { get; }

    public static TokenizerJson Load(string path)
    {
        var text = File.ReadAllText(path);
        JsonObject json;
        try { json = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{FileName}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{FileName}: not valid JSON ({e.Message})"); }

        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        switch (json["model"]?["vocab"])
        {
            case JsonObject vocab:                                           // BPE, WordPiece, WordLevel: token → id
                foreach (var (token, id) in vocab) tokenIds[token] = id!.GetValue<int>();
                break;
            case JsonArray pieces:                                           // Unigram: [token, score] at index id
                for (int i = 0; i < pieces.Count; i++)
                    tokenIds[pieces[i] is JsonArray { Count: > 0 } piece && piece[0] is JsonValue pieceText ? pieceText.GetValue<string>()
                        : throw new InvalidDataException($"{FileName}: model.vocab[{i}] is not a [piece, score] pair")] = i;
                break;
            default:
                throw new InvalidDataException($"{FileName}: model.vocab is missing");
        }
        var added = new Dictionary<int, string>();
        foreach (var token in json["added_tokens"] as JsonArray ?? [])
        {
            if (token?["id"] is not JsonValue idValue || token["content"] is not JsonValue contentValue)
                throw new InvalidDataException($"{FileName}: an added token lacks its id or content");
            var (id, content) = (idValue.GetValue<int>(), contentValue.GetValue<string>());
            added[id] = content;
            tokenIds[content] = id;
        }
        var (prefix, suffix) = SingleSequenceTemplate(json["post_processor"], tokenIds);
        var pair = PairSequenceTemplate(json["post_processor"], tokenIds);
        // transformers truncates and pads only when a call asks; the file's own settings would cut or pad every text.
        json["post_processor"] = null;
        json["truncation"] = null;
        json["padding"] = null;
        var native = Native(json.ToJsonString());
        var size = tokenIds.Count == 0 ? 0 : tokenIds.Values.Max() + 1;
        return new TokenizerJson(native, size, added, tokenIds, prefix, suffix, pair);
    }

    public int[] Encode(string text) => text.Length == 0 ? [] : [.. _native.Encode(text).Select(id => (int)id)];

    /// <summary>Text of the ids, skipping special tokens (as transformers' decode(skip_special_tokens=True)).</summary>
    public string Decode(IEnumerable<int> ids) => _native.Decode([.. ids.Select(id => (uint)id)]);

    private static (int[] Prefix, int[] Suffix) SingleSequenceTemplate(JsonNode? processor, Dictionary<string, int> tokenIds)
    {
        if (processor is null) return ([], []);
        var type = processor["type"]?.GetValue<string>();
        int Id(JsonNode? pair) => pair is JsonArray p && p.Count == 2 ? p[1]!.GetValue<int>()
            : throw new InvalidDataException($"{FileName}: post_processor {type} lacks its cls/sep tokens");
        switch (type)
        {
            case "ByteLevel":
                return ([], []);
            case "BertProcessing" or "RobertaProcessing":
                return ([Id(processor["cls"])], [Id(processor["sep"])]);
            case "Sequence":
                var parts = (processor["processors"] as JsonArray ?? []).Select(p => SingleSequenceTemplate(p, tokenIds)).ToList();
                return ([.. parts.SelectMany(p => p.Prefix)], [.. parts.SelectMany(p => p.Suffix)]);
            case "TemplateProcessing":
                var special = processor["special_tokens"] as JsonObject ?? [];
                List<int> before = [], after = [];
                var seenSequence = false;
                foreach (var piece in processor["single"] as JsonArray ?? [])
                {
                    if (piece?["Sequence"] is not null) { seenSequence = true; continue; }
                    var name = piece?["SpecialToken"]?["id"]?.GetValue<string>()
                        ?? throw new InvalidDataException($"{FileName}: post_processor template has an entry that is neither a sequence nor a special token");
                    var ids = special[name]?["ids"] is JsonArray list ? list.Select(i => i!.GetValue<int>())
                        : tokenIds.TryGetValue(name, out var id) ? [id]
                        : throw new InvalidDataException($"{FileName}: post_processor names special token '{name}', which the vocabulary lacks");
                    (seenSequence ? after : before).AddRange(ids);
                }
                return ([.. before], [.. after]);
            default:
                throw new InvalidDataException($"{FileName}: post_processor type '{type}' is not supported (ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing, Sequence)");
        }
    }

    private static PairTemplate? PairSequenceTemplate(JsonNode? processor, Dictionary<string, int> tokenIds)
    {
        int Id(JsonNode? pair) => pair is JsonArray { Count: 2 } p && p[1] is JsonValue id ? id.GetValue<int>()
            : throw new InvalidDataException($"{FileName}: post_processor lacks its cls/sep tokens");
        switch (processor?["type"]?.GetValue<string>())
        {
            case "BertProcessing":
                return new([Id(processor["cls"])], [Id(processor["sep"])], [Id(processor["sep"])], 1);
            case "RobertaProcessing":
                return new([Id(processor["cls"])], [Id(processor["sep"]), Id(processor["sep"])], [Id(processor["sep"])], 0);
            case "Sequence":
                return (processor["processors"] as JsonArray ?? []).Select(p => PairSequenceTemplate(p, tokenIds)).LastOrDefault(p => p is not null);
            case "TemplateProcessing" when processor["pair"] is JsonArray pieces:
                var special = processor["special_tokens"] as JsonObject ?? [];
                List<int>[] parts = [[], [], []];
                var part = 0;
                var typeOfB = 0;
                foreach (var piece in pieces)
                {
                    if (piece?["Sequence"] is { } sequence)
                    {
                        if (sequence["id"]?.GetValue<string>() == "B") typeOfB = sequence["type_id"]?.GetValue<int>() ?? 0;
                        part++;
                        continue;
                    }
                    var name = piece?["SpecialToken"]?["id"]?.GetValue<string>() ?? "";
                    parts[Math.Min(part, 2)].AddRange(special[name]?["ids"] is JsonArray list ? list.Select(i => i!.GetValue<int>())
                        : tokenIds.TryGetValue(name, out var id) ? [id] : []);
                }
                return new([.. parts[0]], [.. parts[1]], [.. parts[2]], typeOfB);
            default:
                return null;
        }
    }

    // The wrapper reads tokenizers from files only. The copy is written to a folder of its own (created private to this
    // user) and removed once the library has read it; the loaded tokenizer is kept per content, a failure is not.
    private static Tokenizers.DotNet.Tokenizer Native(string content)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
        var lazy = Natives.GetOrAdd(hash, _ => new Lazy<Tokenizers.DotNet.Tokenizer>(() => LoadNative(content)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Natives.TryRemove(KeyValuePair.Create(hash, lazy));
            throw;
        }
    }

    private static Tokenizers.DotNet.Tokenizer LoadNative(string content)
    {
        var folder = Directory.CreateTempSubdirectory("alignlab-tokenizer-");
        try
        {
            var path = Path.Combine(folder.FullName, FileName);
            File.WriteAllText(path, content);
            return new Tokenizers.DotNet.Tokenizer(path);
        }
        catch (Tokenizers.DotNet.TokenizerException e)
        {
            throw new InvalidDataException($"{FileName}: the tokenizers library cannot load it ({e.Message})");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
