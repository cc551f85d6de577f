using AlignLab.Core.Datasets;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Sft;

/// <summary>An SFT dataset's (instruction, input, response) examples, tokenized, with a held-out part split off
/// (deterministic for a seed). A stored dataset contributes each record's instruction, input and output.</summary>
public static class SftData
{
    public const string Demo = "demo";

    /// <summary>The initial (wrong) responses of the demo SPA pairs: a policy whose answers FIGA then corrects.</summary>
    public const string DemoSpaInitial = "demo-spa-initial";

    public static readonly IReadOnlyList<string> BuiltIn = [Demo, DemoSpaInitial];

    public sealed record Example(string Instruction, string Input, string Response);

    public static async Task<IReadOnlyList<Example>> ExamplesAsync(string dataset, IDatasetStore? store, CancellationToken cancellationToken) =>
        [.. (await DatasetParameter.LoadAsync(store, "dataset", dataset, BuiltIn, cancellationToken))
            .Require("dataset", RecordPart.Instruction, RecordPart.Output).Select(r => new Example(r.Instruction, r.Input, r.Output))];

    public static (List<(int[] Prompt, int[] Response)> Train, List<(int[] Prompt, int[] Response)> Eval) Split(
        IReadOnlyList<Example> examples, TextTokenizer tokenizer, PromptTemplate template, int maxLength, double evalFraction, int seed)
    {
        var kept = examples.Select(e => template.Encode(tokenizer, e.Instruction, e.Input, e.Response))
            .Where(p => p.Prompt.Length + p.Response.Length <= maxLength && p.Response.Length > 0).ToList();
        if (kept.Count == 0) throw new InvalidOperationException($"dataset: no example fits max_length {maxLength}");
        var order = Enumerable.Range(0, kept.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = (int)Math.Round(kept.Count * evalFraction);
        if (evalCount >= kept.Count) evalCount = kept.Count - 1;
        return (order.Skip(evalCount).Select(i => kept[i]).ToList(), order.Take(evalCount).Select(i => kept[i]).ToList());
    }
}
