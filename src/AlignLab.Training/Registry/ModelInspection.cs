using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.ChatTemplates;
using AlignLab.Core.Models;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Models;
using AlignLab.Training.Weights;

namespace AlignLab.Training.Registry;

/// <summary>What a model folder is, read without loading its weights: the architecture from config.json, the parameter
/// count and dtype from the safetensors headers, the tokenizer, its chat template and EOS ids. A folder that cannot be
/// used says why (<see cref="ModelDetails.Problem"/>) instead of being hidden, and run submission refuses it with the same
/// reason. A chat template the engine cannot render makes only the <c>model</c> template unusable
/// (<see cref="ModelDetails.ChatTemplateProblem"/>), not the model.</summary>
public static class ModelInspection
{
    // Inspecting reads the tokenizer (megabytes for tokenizer.json): kept per folder until one of its files changes.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Stamp, ModelDetails Details)> Cache = new(StringComparer.Ordinal);

    public static ModelDetails Inspect(string folder)
    {
        DateTime stamp;
        try { stamp = ModelFiles.FolderStamp(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ModelDetails.Failed($"the folder cannot be read: {e.Message}"); }
        if (Cache.TryGetValue(folder, out var cached) && cached.Stamp == stamp) return cached.Details;
        var details = Read(folder);
        if (Cache.Count > 256) Cache.Clear();
        Cache[folder] = (stamp, details);
        return details;
    }

    private static ModelDetails Read(string folder)
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
            return new ModelDetails(config.ModelType, architecture, config.Layers, config.HiddenSize, config.VocabSize, config.MaxPositions,
                entries.Sum(e => e.Shape.Aggregate(1L, (n, d) => n * d)), entries.Sum(e => e.End - e.Begin), MainDtype(entries), tokenizer.Kind,
                tokenizer.EosTokenIds, null, templateProblem, tokenizer.JoinsPairs);
        }
        // Whatever a folder holds must not take the registry down: a failure of any kind is this folder's problem.
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return ModelDetails.Failed(ModelFiles.IsLoadError(e) || e is WeightsFormatException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static ModelDetails Retriever(string folder)
    {
        var config = Retrieval.BertConfig.Read(folder);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        var entries = checkpoint.Names.Select(checkpoint.Entry).ToList();
        var problem = File.Exists(Path.Combine(folder, "vocab.txt")) ? null : "no vocab.txt (the retriever's WordPiece vocabulary)";
        return new ModelDetails("bert", "BertModel", config.num_hidden_layers, config.hidden_size, config.vocab_size, config.max_position_embeddings,
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
