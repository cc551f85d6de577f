using AlignLab.Core.Alignment;

namespace AlignLab.Core.Datasets;

/// <summary>The paper's Table 1 for a set of SPA records under one tokenizer: count, mean token lengths of Y, Ŷ
/// and Ỹ, and mean token-level edit operations Ŷ→Ỹ and Ŷ→Y.</summary>
public sealed record SpaStatistics(int Count, double MeanOutputTokens, double MeanOriginalTokens, double MeanRevisedTokens,
    double MeanEditOpsOriginalToRevised, double MeanEditOpsOriginalToOutput)
{
    public static SpaStatistics Compute(IReadOnlyList<SpaRecord> records, Func<string, int[]> tokenize)
    {
        if (records.Count == 0) return new SpaStatistics(0, 0, 0, 0, 0, 0);
        double output = 0, original = 0, revised = 0, toRevised = 0, toOutput = 0;
        foreach (var r in records)
        {
            var y = tokenize(r.Output);
            var yHat = tokenize(r.OriginalOutput);
            var yTilde = tokenize(r.RevisedOutput);
            output += y.Length;
            original += yHat.Length;
            revised += yTilde.Length;
            toRevised += TokenAlignment.Distance(yHat, yTilde);
            toOutput += TokenAlignment.Distance(yHat, y);
        }
        var n = records.Count;
        return new SpaStatistics(n, output / n, original / n, revised / n, toRevised / n, toOutput / n);
    }
}
