using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Core.Tokenization;

/// <summary>What a model folder's tokenizer_config.json (and special_tokens_map.json, chat_template.jinja) say
/// beyond the vocabulary: the special tokens by their text, whether BOS/EOS are added, and the chat template.
/// A token may be a string or an AddedToken object ({"content": …}); both read as the content.</summary>
public sealed record TokenizerConfig
{
    public const string FileName = "tokenizer_config.json";
    public const string SpecialTokensMapFile = "special_tokens_map.json";
    public const string ChatTemplateFile = "chat_template.jinja";

    public string? BosToken { get; init; }
    public string? EosToken { get; init; }
    public string? PadToken { get; init; }
    public string? UnkToken { get; init; }

    /// <summary>Explicit add_bos_token / add_eos_token; null where the file is silent (the tokenizer's own
    /// post-processor decides then).</summary>
    public bool? AddBosToken { get; init; }
    public bool? AddEosToken { get; init; }
    public string? TokenizerClass { get; init; }

    /// <summary>The Jinja chat template (the "default" one where the file lists several), or null.</summary>
    public string? ChatTemplate { get; init; }

    public static TokenizerConfig Read(string folder)
    {
        var config = ReadObject(Path.Combine(folder, FileName));
        var map = ReadObject(Path.Combine(folder, SpecialTokensMapFile));
        string? Token(string key) => TokenText(config?[key]) ?? TokenText(map?[key]);
        var templateFile = Path.Combine(folder, ChatTemplateFile);
        return new TokenizerConfig
        {
            BosToken = Token("bos_token"),
            EosToken = Token("eos_token"),
            PadToken = Token("pad_token"),
            UnkToken = Token("unk_token"),
            AddBosToken = Flag(config?["add_bos_token"], "add_bos_token"),
            AddEosToken = Flag(config?["add_eos_token"], "add_eos_token"),
            TokenizerClass = config?["tokenizer_class"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : null,
            ChatTemplate = File.Exists(templateFile) ? File.ReadAllText(templateFile) : Template(config?["chat_template"]),
        };
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{Path.GetFileName(path)}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: not valid JSON ({e.Message})");
        }
    }

    private static string? TokenText(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o when o["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String => content.GetValue<string>(),
        _ => null,
    };

    private static bool? Flag(JsonNode? node, string key) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new InvalidDataException($"{FileName}: {key} must be true or false"),
    };

    // transformers accepts one template, or a list of {name, template} of which "default" is used.
    private static string? Template(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray list => list.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == "default")?["template"]?.GetValue<string>(),
        null => null,
        _ => throw new InvalidDataException($"{FileName}: chat_template must be a string or a list of named templates"),
    };
}
