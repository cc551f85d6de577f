using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Loads SPA pairs (instruction, input, initial response Ŷ, revision Ỹ), tokenizes them, computes the
/// token weights and splits off a held-out part (deterministic for a seed).</summary>
public static class FigaData
{
    public const string Demo = "demo-spa";

    /// <summary>The kinds FIGA trains on: those with an initial response and its minimal revision.</summary>
    public static readonly RecordPart[] Needs = [RecordPart.Original, RecordPart.Revised];

    /// <summary>The (Ŷ, Ỹ) records of <paramref name="dataset"/>: "demo-spa", or the id of a stored SPA or minimal-edit dataset.</summary>
    public static async Task<IReadOnlyList<SpaRecord>> RecordsAsync(string dataset, IDatasetStore? store, CancellationToken cancellationToken)
    {
        var stored = await DatasetParameter.LoadAsync(store, "dataset", dataset, [Demo], cancellationToken);
        return stored.Require("dataset", Needs);
    }

    public static (List<FigaExample> Train, List<FigaExample> Eval) Load(IReadOnlyList<SpaRecord> records, TextTokenizer tokenizer, PromptTemplate template,
        FigaOptions options, int maxLength, double evalFraction, int seed)
    {
        var pairs = records.Select(r => (r.Instruction, r.Input, Original: r.OriginalOutput, Revised: r.RevisedOutput));
        var examples = new List<FigaExample>();
        foreach (var (instruction, input, original, revised) in pairs)
        {
            var prompt = template.EncodePrompt(tokenizer, instruction, input);
            int[] originalIds = [.. tokenizer.Encode(original), tokenizer.EosTokenId];
            int[] revisedIds = [.. tokenizer.Encode(revised), tokenizer.EosTokenId];
            if (prompt.Length + Math.Max(originalIds.Length, revisedIds.Length) > maxLength) continue;
            examples.Add(new FigaExample(instruction, input, prompt, originalIds, revisedIds, FigaWeights.For(originalIds, revisedIds, options)));
        }
        if (examples.Count == 0) throw new InvalidOperationException($"no pair of the dataset fits max_length {maxLength}");
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = Math.Min((int)Math.Round(examples.Count * evalFraction), examples.Count - 1);
        return (order.Skip(evalCount).Select(i => examples[i]).ToList(), order.Take(evalCount).Select(i => examples[i]).ToList());
    }
}
