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
/// reason. A chat template the engine cannot render makes only the <c>model</c> template unusable
/// (<see cref="Details.ChatTemplateProblem"/>), not the model.</summary>
public static class ModelInspection
{
    /// <param name="Problem">Why the folder cannot be used; null when it can.</param>
    /// <param name="ChatTemplateProblem">Why the model's chat template cannot serve as the <c>model</c> template (none, or
    /// a construct the engine cannot render); null when it can.</param>
    /// <param name="HasPairTemplate">Whether the tokenizer joins a (question, answer) pair, as a cross-encoder reward model needs.</param>
    public sealed record Details(string ModelType, string Architecture, int Layers, int HiddenSize, int VocabularySize, int ContextLength,
        long Parameters, long ParameterBytes, string Dtype, string TokenizerKind, IReadOnlyList<int> EosTokenIds, string? Problem,
        string? ChatTemplateProblem = null, bool HasPairTemplate = false)
    {
        public bool HasChatTemplate => Problem is null && ChatTemplateProblem is null;

        /// <summary>The sizes training memory depends on (<see cref="Core.Memory.MemoryEstimate"/>).</summary>
        public Core.Memory.ModelShape Shape => new(Parameters, Layers, HiddenSize, VocabularySize, ContextLength);
        public bool IsClassifier => Architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal);

        /// <summary>A dense retriever (a BERT encoder, as R³'s Contriever), usable only as a relevance scorer.</summary>
        public bool IsRetriever => ModelType == "bert";

        /// <summary>A DeBERTa reward model, which scores (question, answer) pairs and needs no prompt template.</summary>
        public bool IsCrossEncoder => ModelType == Models.Deberta.DebertaV2Config.ModelTypeName;
    }

    /// <summary>Exceptions that mean "this folder's files cannot be used", as opposed to a bug.</summary>
    public static bool IsLoadError(Exception e) => e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or NotSupportedException or ArgumentException or JsonException or WeightsFormatException or ChatTemplateException
        or InvalidOperationException or FormatException or KeyNotFoundException or IOException or UnauthorizedAccessException;

    // Inspecting reads the tokenizer (megabytes for tokenizer.json): kept per folder until one of its files changes.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Stamp, Details Details)> Cache = new(StringComparer.Ordinal);

    public static Details Inspect(string folder)
    {
        DateTime stamp;
        try { stamp = FolderStamp(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Failed($"the folder cannot be read: {e.Message}"); }
        if (Cache.TryGetValue(folder, out var cached) && cached.Stamp == stamp) return cached.Details;
        var details = Read(folder);
        if (Cache.Count > 256) Cache.Clear();
        Cache[folder] = (stamp, details);
        return details;
    }

    /// <summary>The newest write time of the folder's files: a re-exported model or a replaced tokenizer changes it.</summary>
    public static DateTime FolderStamp(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty().Max() : default;

    private static Details Failed(string problem) => new("", "", 0, 0, 0, 0, 0, 0, "", "", [], problem);

    private static Details Read(string folder)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolder.ConfigFile)));
            var architecture = json?["architectures"] is JsonArray { Count: > 0 } a && a[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>() : "";
            if (json?["model_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "bert")
                return Retriever(folder);
            var config = ModelFolder.ReadConfig(folder);
            var checkpoint = SafetensorsCheckpoint.Open(folder);
            var entries = checkpoint.Names.Select(checkpoint.Entry).ToList();
            var tokenizer = TextTokenizer.Load(folder);
            if (tokenizer.VocabularySize > config.VocabSize)
                throw new InvalidDataException($"the tokenizer has {tokenizer.VocabularySize} tokens, more than the model's vocab_size {config.VocabSize}");
            string? templateProblem = null;
            try { PromptTemplate.FromChatTemplate(tokenizer); }
            catch (Exception e) when (e is ArgumentException or ChatTemplateException) { templateProblem = e.Message; }
            return new Details(config.ModelType, architecture, config.Layers, config.HiddenSize, config.VocabSize, config.MaxPositions,
                entries.Sum(e => e.Shape.Aggregate(1L, (n, d) => n * d)), entries.Sum(e => e.End - e.Begin), MainDtype(entries), tokenizer.Kind,
                tokenizer.EosTokenIds, null, templateProblem, tokenizer.JoinsPairs);
        }
        // Whatever a folder holds must not take the registry down: a failure of any kind is this folder's problem.
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return Failed(IsLoadError(e) ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static Details Retriever(string folder)
    {
        var config = Retrieval.BertConfig.Read(folder);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        var entries = checkpoint.Names.Select(checkpoint.Entry).ToList();
        var problem = File.Exists(Path.Combine(folder, "vocab.txt")) ? null : "no vocab.txt (the retriever's WordPiece vocabulary)";
        return new Details("bert", "BertModel", config.num_hidden_layers, config.hidden_size, config.vocab_size, config.max_position_embeddings,
            entries.Sum(e => e.Shape.Aggregate(1L, (n, d) => n * d)), entries.Sum(e => e.End - e.Begin), MainDtype(entries),
            "vocab.txt (WordPiece)", [], problem, "a retriever has no chat template");
    }

    private static string MainDtype(IEnumerable<SafetensorsFile.TensorEntry> entries) =>
        entries.GroupBy(e => e.DType).OrderByDescending(g => g.Count()).Select(g => g.Key switch
        {
            TorchSharp.torch.ScalarType.BFloat16 => "bfloat16",
            TorchSharp.torch.ScalarType.Float16 => "float16",
            TorchSharp.torch.ScalarType.Float64 => "float64",
            _ => "float32",
        }).FirstOrDefault() ?? "";
}
