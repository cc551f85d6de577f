using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
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

    /// <summary>What fitting the pairs into max_length did: pairs cut at the end of a response (and the tokens cut from
    /// both responses), and pairs dropped.</summary>
    public sealed record Fitting(int Pairs, int Truncated, long TokensCut, int Dropped);

    /// <summary>Tokenizes every pair and computes its Eq. 1 weights on the whole responses; then fits it into
    /// <paramref name="maxLength"/> tokens of prompt + response: <see cref="OverlongPairs.Truncate"/> cuts each response's
    /// end (the authors' tokenizer truncation at 512), <see cref="OverlongPairs.Drop"/> leaves the pair out. A pair whose
    /// prompt alone fills max_length is left out either way.</summary>
    /// <param name="signals">Per record, what Table 5's variants weigh by: an LLM's word scores, a reward model's α and β.</param>
    public static (List<FigaExample> Train, List<FigaExample> Eval, Fitting Fitting) Load(IReadOnlyList<SpaRecord> records, TextTokenizer tokenizer,
        PromptTemplate template, FigaOptions options, int maxLength, OverlongPairs overlong, double evalFraction, int seed,
        PromptJoining joining = PromptJoining.Ids, FigaSignals? signals = null)
    {
        var examples = new List<FigaExample>();
        var (truncated, dropped, tokensCut) = (0, 0, 0L);
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var (prompt, originalIds, revisedIds) = Encode(r, tokenizer, template, joining);
            var pairOptions = signals?.RewardWeights is { } rewards ? options with { Alpha = rewards[i].Alpha, Beta = rewards[i].Beta } : options;
            var importance = signals?.WordScores is { } words
                ? TokenImportance.Weights(tokenizer.TokenTexts(revisedIds[..^1]), words[i], options.GoodLabels)
                : ((double[], bool[])?)null;
            var weights = FigaWeights.For(originalIds, revisedIds, pairOptions, importance);
            var room = maxLength - prompt.Length;
            if (Math.Max(originalIds.Length, revisedIds.Length) > room)
            {
                if (overlong == OverlongPairs.Drop || room < 1) { dropped++; continue; }
                truncated++;
                tokensCut += Math.Max(0, originalIds.Length - room) + Math.Max(0, revisedIds.Length - room);
                (originalIds, revisedIds) = (originalIds[..Math.Min(room, originalIds.Length)], revisedIds[..Math.Min(room, revisedIds.Length)]);
                weights = new FigaWeights(weights.Revised[..revisedIds.Length], weights.Original[..originalIds.Length],
                    weights.RevisedChanged[..revisedIds.Length], weights.OriginalChanged[..originalIds.Length]);
            }
            examples.Add(new FigaExample(r.Instruction, r.Input, prompt, originalIds, revisedIds, weights));
        }
        if (examples.Count == 0) throw new InvalidOperationException($"no pair of the dataset fits max_length {maxLength}");
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = Math.Min((int)Math.Round(examples.Count * evalFraction), examples.Count - 1);
        return (order.Skip(evalCount).Select(i => examples[i]).ToList(), order.Take(evalCount).Select(i => examples[i]).ToList(),
            new Fitting(records.Count, truncated, tokensCut, dropped));
    }

    /// <summary>The prompt's ids and both responses' ids (EOS last), joined as <paramref name="joining"/> says.</summary>
    public static (int[] Prompt, int[] Original, int[] Revised) Encode(SpaRecord record, TextTokenizer tokenizer, PromptTemplate template, PromptJoining joining)
    {
        if (joining == PromptJoining.Authors)
        {
            var (prompt, original) = template.EncodeAsOneText(tokenizer, record.Instruction, record.Input, record.OriginalOutput);
            return (prompt, original, template.EncodeAsOneText(tokenizer, record.Instruction, record.Input, record.RevisedOutput).Response);
        }
        return (template.EncodePrompt(tokenizer, record.Instruction, record.Input),
            [.. tokenizer.Encode(record.OriginalOutput), tokenizer.EosTokenId], [.. tokenizer.Encode(record.RevisedOutput), tokenizer.EosTokenId]);
    }
}

/// <summary>What Table 5's variants weigh a pair by, one entry per record: the LLM's scores of Ỹ's words, and α and β
/// from a reward model's scores.</summary>
public sealed record FigaSignals(IReadOnlyList<IReadOnlyList<WordScore>>? WordScores, IReadOnlyList<(double Alpha, double Beta)>? RewardWeights);

/// <summary>How FIGA joins a prompt and a response into one sequence.</summary>
public enum PromptJoining
{
    /// <summary>As the authors' train.py: the prompt text (without its closing newline), a space and the response tokenized as
    /// one text after BOS (<see cref="PromptTemplate.EncodeAsOneText"/>).</summary>
    Authors,
    /// <summary>The prompt (with BOS) and the response tokenized apart and joined as ids, as AlignLab's other methods do.</summary>
    Ids,
}
