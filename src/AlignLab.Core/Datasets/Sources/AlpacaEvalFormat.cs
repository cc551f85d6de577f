namespace AlignLab.Core.Datasets.Sources;

/// <summary>AlpacaEval's evaluation set as tatsu-lab/alpaca_eval publishes it: alpaca_eval.json, a JSON array of
/// {instruction, output, generator, dataset}. The instruction is the prompt and the output, the answer of the baseline
/// model that generator names (e.g. text-davinci-003 or gpt4_turbo), the reference.</summary>
public sealed class AlpacaEvalFormat : ISourceFormat
{
    public string Name => "alpacaeval";
    public string Kind => DatasetKinds.Generation;
    public string Title => "AlpacaEval (JSON)";
    public string Description =>
        "AlpacaEval's alpaca_eval.json (a JSON array of instruction, output, generator, dataset): the instruction as prompt and the baseline model's output as reference.";

    public ConvertedFile Convert(byte[] content) => SourceReader.Json(content, item =>
        EvaluationRecord.Generation(SourceReader.RequiredString(item, "instruction"), SourceReader.OptionalString(item, "output")));
}
