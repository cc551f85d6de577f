using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.ChatTemplates;
using AlignLab.Training.Models;
using AlignLab.Training.Tokenization;
using AlignLab.Training.Weights;

namespace AlignLab.Training.Registry;

/// <summary>What a model folder is, read without loading its weights: the architecture from config.json, the parameter
/// count and dtype from the safetensors headers, the tokenizer, its chat template and EOS ids. A folder that cannot be
/// used says why (<see cref="Details.Problem"/>) instead of being hidden, and run submission refuses it with the same
/// reason.</summary>
public static class ModelInspection
{
    /// <param name="Problem">Why the folder cannot be used; null when it can.</param>
    public sealed record Details(string ModelType, string Architecture, int Layers, int HiddenSize, int VocabularySize, int ContextLength,
        long Parameters, long ParameterBytes, string Dtype, string TokenizerKind, bool HasChatTemplate, IReadOnlyList<int> EosTokenIds,
        string? Problem)
    {
        public bool IsClassifier => Architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal);

        /// <summary>A dense retriever (a BERT encoder, as R³'s Contriever), usable only as a relevance scorer.</summary>
        public bool IsRetriever => ModelType == "bert";
    }

    /// <summary>Exceptions that mean "this folder's files cannot be used", as opposed to a bug.</summary>
    public static bool IsLoadError(Exception e) => e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or NotSupportedException or ArgumentException or JsonException or WeightsFormatException or ChatTemplateException
        or InvalidOperationException or FormatException or KeyNotFoundException or IOException;

    // Inspecting reads the tokenizer (megabytes for tokenizer.json): kept per folder until one of its files changes.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Stamp, Details Details)> Cache = new(StringComparer.Ordinal);

    public static Details Inspect(string folder)
    {
        var stamp = FolderStamp(folder);
        if (Cache.TryGetValue(folder, out var cached) && cached.Stamp == stamp) return cached.Details;
        var details = Read(folder);
        if (Cache.Count > 256) Cache.Clear();
        Cache[folder] = (stamp, details);
        return details;
    }

    /// <summary>The newest write time of the folder's files: a re-exported model or a replaced tokenizer changes it.</summary>
    public static DateTime FolderStamp(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty().Max() : default;

    private static Details Read(string folder)
    {
        string modelType = "", architecture = "";
        int layers = 0, hidden = 0, vocabulary = 0, context = 0;
        long parameters = 0, bytes = 0;
        string dtype = "", tokenizerKind = "";
        var chatTemplate = false;
        IReadOnlyList<int> eos = [];
        string? problem = null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)));
            architecture = json?["architectures"] is JsonArray { Count: > 0 } a && a[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>() : "";
            if (json?["model_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "bert")
                return Retriever(folder);
            var config = ModelFolder.ReadConfig(folder);
            (modelType, layers, hidden, vocabulary, context) = (config.ModelType, config.Layers, config.HiddenSize, config.VocabSize, config.MaxPositions);
            var checkpoint = SafetensorsCheckpoint.Open(folder);
            var entries = checkpoint.Names.Select(checkpoint.Entry).ToList();
            parameters = entries.Sum(e => e.Shape.Aggregate(1L, (n, d) => n * d));
            bytes = entries.Sum(e => e.End - e.Begin);
            dtype = entries.GroupBy(e => e.DType).OrderByDescending(g => g.Count()).Select(g => DtypeName(g.Key)).FirstOrDefault() ?? "";
            var tokenizer = TextTokenizer.Load(folder);
            (tokenizerKind, eos) = (tokenizer.Kind, tokenizer.EosTokenIds);
            if (tokenizer.Config.ChatTemplate is not null)
            {
                PromptTemplate.FromChatTemplate(tokenizer);
                chatTemplate = true;
            }
            if (tokenizer.VocabularySize > config.VocabSize)
                throw new InvalidDataException($"the tokenizer has {tokenizer.VocabularySize} tokens, more than the model's vocab_size {config.VocabSize}");
        }
        catch (Exception e) when (IsLoadError(e))
        {
            problem = e.Message;
        }
        return new Details(modelType, architecture, layers, hidden, vocabulary, context, parameters, bytes, dtype, tokenizerKind, chatTemplate, eos, problem);
    }

    private static Details Retriever(string folder)
    {
        var config = Retrieval.BertConfig.Read(folder);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        var entries = checkpoint.Names.Select(checkpoint.Entry).ToList();
        var problem = File.Exists(Path.Combine(folder, "vocab.txt")) ? null : "no vocab.txt (the retriever's WordPiece vocabulary)";
        return new Details("bert", "BertModel", config.num_hidden_layers, config.hidden_size, config.vocab_size, config.max_position_embeddings,
            entries.Sum(e => e.Shape.Aggregate(1L, (n, d) => n * d)), entries.Sum(e => e.End - e.Begin),
            entries.Count > 0 ? DtypeName(entries[0].DType) : "", "vocab.txt (WordPiece)", false, [], problem);
    }

    private static string DtypeName(TorchSharp.torch.ScalarType type) => type switch
    {
        TorchSharp.torch.ScalarType.BFloat16 => "bfloat16",
        TorchSharp.torch.ScalarType.Float16 => "float16",
        TorchSharp.torch.ScalarType.Float64 => "float64",
        _ => "float32",
    };
}
