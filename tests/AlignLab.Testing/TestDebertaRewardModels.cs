using System.Text.Json.Nodes;
using AlignLab.Training.Models.Deberta;
using AlignLab.Training.Weights;

namespace AlignLab.Testing;

/// <summary>A tiny random DeBERTa-v3 reward model in Hugging Face layout (DebertaV2ForSequenceClassification, the shape of
/// OpenAssistant's reward-model-deberta-v3-large-v2), with a tokenizer.json as DeBERTa-v3 ships one: a Unigram model over
/// "▁"-prefixed pieces (Metaspace), and [CLS] A [SEP] B [SEP] for a (question, answer) pair.</summary>
public static class TestDebertaRewardModels
{
    public const int Cls = 1, Sep = 2;

    private static readonly string[] Specials = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"];
    private const string Characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,?!'-:;()";
    private static readonly string[] Words = ["the", "is", "of", "capital", "what", "a", "and", "in", "it"];

    public static string Create(string folder, int seed = 3)
    {
        Directory.CreateDirectory(folder);
        var pieces = Specials.Concat(["▁"]).Concat(Characters.Select(c => c.ToString())).Concat(Characters.Select(c => "▁" + c))
            .Concat(Words.Select(w => "▁" + w)).ToList();
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), Tokenizer(pieces).ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """
            {"bos_token": "[CLS]", "eos_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]",
             "sep_token": "[SEP]", "do_lower_case": false, "tokenizer_class": "DebertaV2Tokenizer"}
            """);
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("DebertaV2ForSequenceClassification"), ["model_type"] = "deberta-v2",
            ["vocab_size"] = pieces.Count, ["hidden_size"] = 32, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4,
            ["intermediate_size"] = 64, ["hidden_act"] = "gelu", ["max_position_embeddings"] = 128, ["relative_attention"] = true,
            ["position_buckets"] = 8, ["norm_rel_ebd"] = "layer_norm", ["share_att_key"] = true, ["pos_att_type"] = new JsonArray("p2c", "c2p"),
            ["layer_norm_eps"] = 1e-7, ["max_relative_positions"] = -1, ["position_biased_input"] = false, ["type_vocab_size"] = 0,
            ["pooler_hidden_size"] = 32, ["pooler_hidden_act"] = "gelu", ["pooler_dropout"] = 0, ["hidden_dropout_prob"] = 0.1,
            ["attention_probs_dropout_prob"] = 0.1, ["initializer_range"] = 0.2, ["pad_token_id"] = 0,
            ["id2label"] = new JsonObject { ["0"] = "LABEL_0" }, ["label2id"] = new JsonObject { ["LABEL_0"] = 0 },
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        TorchSharp.torch.random.manual_seed(seed);
        using var model = new DebertaV2ForSequenceClassification(DebertaV2Config.FromJson(config));
        SafetensorsWriter.WriteCheckpoint(folder, model.state_dict());
        return folder;
    }

    private static JsonObject Tokenizer(List<string> pieces)
    {
        JsonObject Special(string name) => new() { ["SpecialToken"] = new JsonObject { ["id"] = name, ["type_id"] = 0 } };
        JsonObject Special1(string name) => new() { ["SpecialToken"] = new JsonObject { ["id"] = name, ["type_id"] = 1 } };
        JsonObject Sequence(string id, int type) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = type } };
        JsonObject Metaspace() => new() { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray([.. Specials.Select((s, i) => (JsonNode)new JsonObject
            {
                ["id"] = i, ["content"] = s, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            })]),
            ["normalizer"] = null,
            ["pre_tokenizer"] = Metaspace(),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("[CLS]"), Sequence("A", 0), Special("[SEP]")),
                ["pair"] = new JsonArray(Special("[CLS]"), Sequence("A", 0), Special("[SEP]"), Sequence("B", 1), Special1("[SEP]")),
                ["special_tokens"] = new JsonObject
                {
                    ["[CLS]"] = new JsonObject { ["id"] = "[CLS]", ["ids"] = new JsonArray(Cls), ["tokens"] = new JsonArray("[CLS]") },
                    ["[SEP]"] = new JsonObject { ["id"] = "[SEP]", ["ids"] = new JsonArray(Sep), ["tokens"] = new JsonArray("[SEP]") },
                },
            },
            ["decoder"] = Metaspace(),
            ["model"] = new JsonObject
            {
                ["type"] = "Unigram",
                ["unk_id"] = 3,
                ["byte_fallback"] = false,
                // Longer pieces score higher, so whole words win over their letters.
                ["vocab"] = new JsonArray([.. pieces.Select((p, i) => (JsonNode)new JsonArray(p, i < Specials.Length ? 0.0 : -10.0 / p.Length))]),
            },
        };
    }
}
