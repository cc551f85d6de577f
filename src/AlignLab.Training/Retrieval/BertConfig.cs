using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Training.Retrieval;

/// <summary>A BERT config.json (Hugging Face names and transformers' BertConfig defaults), as retrievers such as
/// Contriever (BERT-base) ship it.</summary>
public sealed record BertConfig
{
    public int vocab_size { get; init; } = 30522;
    public int hidden_size { get; init; } = 768;
    public int num_hidden_layers { get; init; } = 12;
    public int num_attention_heads { get; init; } = 12;
    public int intermediate_size { get; init; } = 3072;
    public string hidden_act { get; init; } = "gelu";
    public int max_position_embeddings { get; init; } = 512;
    public int type_vocab_size { get; init; } = 2;
    public double layer_norm_eps { get; init; } = 1e-12;
    public string model_type { get; init; } = "bert";

    public static BertConfig Read(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) throw new ArgumentException($"no config.json in {folder}");
        var config = JsonSerializer.Deserialize<BertConfig>(File.ReadAllText(path))!;
        if (config.model_type != "bert") throw new NotSupportedException($"{folder}: model_type '{config.model_type}' is not a BERT encoder");
        if (config.hidden_size % config.num_attention_heads != 0)
            throw new ArgumentException($"config.json: hidden_size {config.hidden_size} is not divisible by num_attention_heads {config.num_attention_heads}");
        if (config.hidden_act is not ("gelu" or "relu")) throw new NotSupportedException($"config.json: hidden_act '{config.hidden_act}' is not supported");
        return config;
    }

    public JsonObject ToJson() => JsonNode.Parse(JsonSerializer.Serialize(this))!.AsObject();
}
