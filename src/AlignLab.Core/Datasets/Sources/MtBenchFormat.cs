using System.Text.Json;

namespace AlignLab.Core.Datasets.Sources;

/// <summary>FastChat's question files (lm-sys/FastChat, fastchat/llm_judge/data/mt_bench/question.jsonl and the
/// Vicuna-Bench question.jsonl): JSON Lines of {question_id, category, turns, reference?}, or {question_id, text, category}
/// in Vicuna-Bench's first release. The prompt is the first turn (or the text): an evaluation here answers one prompt,
/// so MT-Bench's second turn, which follows up on the model's own first answer, is left out. The first reference answer,
/// where the question has one (math, reasoning, coding), is the reference.</summary>
public sealed class MtBenchFormat : ISourceFormat
{
    public string Name => "mt-bench";
    public string Kind => DatasetKinds.Generation;
    public string Title => "MT-Bench / Vicuna-Bench (JSONL)";
    public string Description =>
        "FastChat's MT-Bench or Vicuna-Bench question.jsonl: the first turn (or text) as prompt, and the first reference answer, where there is one, as reference; " +
        "only the first turn of MT-Bench's two-turn questions is kept.";

    public ConvertedFile Convert(byte[] content) => SourceReader.Json(content, item =>
    {
        var prompt = item.TryGetProperty("turns", out var turns) && turns.ValueKind != JsonValueKind.Null
            ? First(turns, "turns") ?? throw new SourceRecordException("turns", "empty: no first turn")
            : SourceReader.OptionalString(item, "text") ?? throw new SourceRecordException("turns", "missing (and no text)");
        var reference = item.TryGetProperty("reference", out var references) && references.ValueKind != JsonValueKind.Null
            ? First(references, "reference") : null;
        return EvaluationRecord.Generation(prompt, reference);
    });

    /// <summary>The first string of a list (null when it is empty); a single string is taken as it is.</summary>
    private static string? First(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() == 0 ? null : SourceReader.StringValue(value[0], field),
        JsonValueKind.String => SourceReader.StringValue(value, field),
        _ => throw new SourceRecordException(field, $"must be a list of strings, not {SourceReader.Describe(value)}"),
    };
}
