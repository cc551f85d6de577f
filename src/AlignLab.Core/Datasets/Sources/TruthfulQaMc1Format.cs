using System.Text.Json;

namespace AlignLab.Core.Datasets.Sources;

/// <summary>TruthfulQA's MC1 task: one right answer among several. Reads the original data/mc_task.json, where mc1_targets
/// maps each answer's text to 1 (right) or 0 (wrong), and the Hugging Face truthful_qa (multiple_choice) export, where it
/// is {"choices": [...], "labels": [...]}. The prompt is "Q: {question}\nA:" and each answer, after a space, is a choice
/// in the file's order.</summary>
public sealed class TruthfulQaMc1Format : ISourceFormat
{
    private const string Targets = "mc1_targets";

    public string Name => "truthfulqa-mc1";
    public string Kind => DatasetKinds.MultipleChoice;
    public string Title => "TruthfulQA MC1 (JSON)";
    public string Description =>
        "TruthfulQA's data/mc_task.json (or a Hugging Face truthful_qa multiple_choice export): prompt \"Q: {question}\\nA:\", " +
        "the mc1_targets answers as choices in the file's order, and the one labelled 1 as answer.";

    public ConvertedFile Convert(byte[] content) => SourceReader.Json(content, item =>
    {
        var question = SourceReader.RequiredString(item, "question");
        if (!item.TryGetProperty(Targets, out var targets) || targets.ValueKind == JsonValueKind.Null)
            throw new SourceRecordException(Targets, "missing");
        if (targets.ValueKind != JsonValueKind.Object)
            throw new SourceRecordException(Targets, $"must be an object, not {SourceReader.Describe(targets)}");
        var (choices, labels) = IsExport(targets) ? Export(targets) : Original(targets);
        var right = labels.Count(l => l == 1);
        if (right != 1) throw new SourceRecordException(Targets, right == 0 ? "no answer is labelled 1" : $"{right} answers are labelled 1, not one");
        return EvaluationRecord.MultipleChoice($"Q: {question}\nA:", choices.Select(c => " " + c), labels.IndexOf(1));
    });

    /// <summary>The Hugging Face shape: lists of choices and of labels.</summary>
    private static bool IsExport(JsonElement targets) =>
        targets.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array &&
        targets.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array;

    private static (List<string> Choices, List<int> Labels) Export(JsonElement targets)
    {
        var choices = targets.GetProperty("choices").EnumerateArray().Select(c => SourceReader.StringValue(c, Targets)).ToList();
        var labels = targets.GetProperty("labels").EnumerateArray().Select(Label).ToList();
        if (choices.Count != labels.Count)
            throw new SourceRecordException(Targets, $"has {choices.Count} choices but {labels.Count} labels");
        return (choices, labels);
    }

    /// <summary>The original shape: each answer's text is a property name, its label the value.</summary>
    private static (List<string> Choices, List<int> Labels) Original(JsonElement targets)
    {
        var answers = targets.EnumerateObject().ToList();
        return (answers.Select(a => a.Name).ToList(), answers.Select(a => Label(a.Value)).ToList());
    }

    private static int Label(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var label) && label is 0 or 1
            ? label : throw new SourceRecordException(Targets, $"a label must be 0 or 1, not {SourceReader.Describe(value)}");
}
