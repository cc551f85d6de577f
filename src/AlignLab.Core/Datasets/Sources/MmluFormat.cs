namespace AlignLab.Core.Datasets.Sources;

/// <summary>MMLU as the hendrycks/test data publishes it: one CSV per subject and split (e.g.
/// data/test/abstract_algebra_test.csv), without a header, each row question, A, B, C, D and the answer letter. The prompt
/// is lm-evaluation-harness's: the question, the lettered options and "Answer:"; the choices are the letters after a space
/// (its target delimiter), each scored on its own after the prompt.</summary>
public sealed class MmluFormat : ISourceFormat
{
    private static readonly string[] Columns = ["question", "A", "B", "C", "D", "answer"];
    private static readonly string[] Letters = ["A", "B", "C", "D"];

    public string Name => "mmlu";
    public string Kind => DatasetKinds.MultipleChoice;
    public string Title => "MMLU (CSV)";
    public string Description =>
        "One subject's CSV from the hendrycks/test data (e.g. data/test/abstract_algebra_test.csv; no header: question, A, B, C, D, answer letter), " +
        "prompted as lm-evaluation-harness does (the question, the options A. to D., then \"Answer:\") with the letters \" A\" to \" D\" as choices and the answer letter's index as answer.";

    public ConvertedFile Convert(byte[] content) => SourceReader.Table(content, ',', Columns, Columns, row =>
    {
        var answer = Array.IndexOf(Letters, row["answer"].Trim());
        if (answer < 0) throw new SourceRecordException("answer", $"must be one of the letters A, B, C, D, not \"{row["answer"]}\"");
        var prompt = $"{row["question"].Trim()}\nA. {row["A"]}\nB. {row["B"]}\nC. {row["C"]}\nD. {row["D"]}\nAnswer:";
        return EvaluationRecord.MultipleChoice(prompt, Letters.Select(l => " " + l), answer);
    });
}
