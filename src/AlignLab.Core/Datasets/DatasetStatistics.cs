using AlignLab.Core.Alignment;

namespace AlignLab.Core.Datasets;

/// <summary>What an import reports about its dataset, in one tokenizer's tokens: Table 1 of the FIGA paper for SPA
/// data (<see cref="SpaStatistics"/>), and for pairs the mean lengths of both responses and the mean token-level
/// edit distance between them (small for minimal edits, large for ordinary preference pairs); for evaluation sets, their
/// prompts' length and how many have references, or their choices and groups.</summary>
public static class DatasetStatistics
{
    public static object Compute(DatasetLayout layout, IReadOnlyList<SpaRecord> records, Func<string, int[]> tokenize)
    {
        double Mean(Func<SpaRecord, double> value) => records.Count == 0 ? 0 : records.Average(value);
        double EditOps(SpaRecord r, Func<SpaRecord, string> preferred) => TokenAlignment.Distance(tokenize(r.OriginalOutput), tokenize(preferred(r)));
        return layout.Kind switch
        {
            DatasetKinds.Spa => SpaStatistics.Compute(records, tokenize),
            DatasetKinds.Edits => new
            {
                count = records.Count, meanOriginalTokens = Mean(r => tokenize(r.OriginalOutput).Length),
                meanEditedTokens = Mean(r => tokenize(r.RevisedOutput).Length), meanEditOps = Mean(r => EditOps(r, x => x.RevisedOutput)),
            },
            DatasetKinds.Preference => new
            {
                count = records.Count, meanChosenTokens = Mean(r => tokenize(r.Output).Length),
                meanRejectedTokens = Mean(r => tokenize(r.OriginalOutput).Length), meanEditOps = Mean(r => EditOps(r, x => x.Output)),
            },
            DatasetKinds.Generation => new
            {
                count = records.Count, meanPromptTokens = Mean(r => tokenize(r.Instruction).Length), withReference = records.Count(r => r.Output.Length > 0),
            },
            DatasetKinds.MultipleChoice => new
            {
                count = records.Count, meanChoices = Mean(r => r.Choices?.Count ?? 0), meanChoiceTokens = Mean(r => r.Choices?.Average(c => tokenize(c).Length) ?? 0),
                groups = records.Select(r => r.Group).Where(g => g.Length > 0).Distinct().Count(),
            },
            _ => new { count = records.Count, meanOutputTokens = Mean(r => tokenize(r.Output).Length) },
        };
    }
}
