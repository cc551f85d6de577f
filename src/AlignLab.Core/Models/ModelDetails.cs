namespace AlignLab.Core.Models;

/// <summary>What a model folder is, read without loading its weights: the architecture from config.json, the parameter
/// count and dtype from the safetensors headers, the tokenizer, its chat template and EOS ids.</summary>
/// <param name="Problem">Why the folder cannot be used; null when it can.</param>
/// <param name="ChatTemplateProblem">Why the model's chat template cannot serve as the <c>model</c> template (none, or
/// a construct the engine cannot render); null when it can.</param>
/// <param name="HasPairTemplate">Whether the tokenizer joins a (question, answer) pair, as a cross-encoder reward model needs.</param>
public sealed record ModelDetails(string ModelType, string Architecture, int Layers, int HiddenSize, int VocabularySize, int ContextLength,
    long Parameters, long ParameterBytes, string Dtype, string TokenizerKind, IReadOnlyList<int> EosTokenIds, string? Problem,
    string? ChatTemplateProblem = null, bool HasPairTemplate = false)
{
    /// <summary>The model_type of a DeBERTa-v2/v3 reward model.</summary>
    public const string DebertaV2ModelType = "deberta-v2";

    public bool HasChatTemplate => Problem is null && ChatTemplateProblem is null;

    /// <summary>The sizes training memory depends on (<see cref="Memory.MemoryEstimate"/>).</summary>
    public Memory.ModelShape Shape => new(Parameters, Layers, HiddenSize, VocabularySize, ContextLength);
    public bool IsClassifier => Architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal);

    /// <summary>A dense retriever (a BERT encoder, as R³'s Contriever), usable only as a relevance scorer.</summary>
    public bool IsRetriever => ModelType == "bert";

    /// <summary>A DeBERTa reward model, which scores (question, answer) pairs and needs no prompt template.</summary>
    public bool IsCrossEncoder => ModelType == DebertaV2ModelType;

    /// <summary>A folder that cannot be used, and why.</summary>
    public static ModelDetails Failed(string problem) => new("", "", 0, 0, 0, 0, 0, 0, "", "", [], problem);
}
