using AlignLab.Core.Alignment;

namespace AlignLab.Core.Figa;

/// <summary>Eq. 1 per token of one SPA pair. Both responses end with EOS: Ỹ's EOS gets α, Ŷ's EOS 0 (as the
/// reference implementation); the alignment runs on the tokens before EOS.</summary>
public sealed record FigaWeights(double[] Revised, double[] Original, bool[] RevisedChanged, bool[] OriginalChanged)
{
    /// <param name="original">Ŷ's response token ids, EOS last.</param>
    /// <param name="revised">Ỹ's response token ids, EOS last.</param>
    /// <param name="importance">For the LLM-scored variants (<see cref="FigaOptions.UsesWordScores"/>): r̃ of each token of Ỹ
    /// before EOS and whether it is rewarded (<see cref="TokenImportance.Weights"/>); Ỹ's EOS keeps α.</param>
    public static FigaWeights For(int[] original, int[] revised, FigaOptions options, (double[] Weights, bool[] Rewarded)? importance = null)
    {
        if (original.Length == 0 || revised.Length == 0) throw new ArgumentException("responses must end with EOS");
        var source = original.AsSpan(0, original.Length - 1);
        var target = revised.AsSpan(0, revised.Length - 1);
        var (targetChanged, sourceChanged) = TokenAlignment.Labels(source, target);
        if (options.GoodLabels == GoodTokenLabels.BagOfWords)
        {
            var seen = source.ToArray().ToHashSet();
            for (int j = 0; j < target.Length; j++) targetChanged[j] = !seen.Contains(target[j]);
        }

        if (options.UsesWordScores != importance is not null)
            throw new ArgumentException(options.UsesWordScores ? "the LLM-scored variants need the word scores' token weights" : "token weights given without an LLM-scored variant");
        if (importance is { } given && given.Weights.Length != target.Length)
            throw new ArgumentException($"{given.Weights.Length} token weights for a revision of {target.Length} tokens");

        // r̃(ỹ_t) = α if added/substituted else γ (or the LLM's weight); Ỹ's EOS: α. Stored as loss weights (+).
        var revisedWeights = new double[revised.Length];
        for (int j = 0; j < target.Length; j++) revisedWeights[j] = importance?.Weights[j] ?? (targetChanged[j] ? options.Alpha : options.Gamma);
        if (importance is { } scored) targetChanged = scored.Rewarded;
        revisedWeights[^1] = options.Alpha;

        // r̂(ŷ_t) = β if deleted/substituted else 0; Ŷ's EOS: 0. Stored as loss weights (−β), before selection.
        var originalWeights = new double[original.Length];
        for (int i = 0; i < source.Length; i++) originalWeights[i] = sourceChanged[i] ? -options.Beta : 0;

        return new FigaWeights(revisedWeights, originalWeights, [.. targetChanged, true], [.. sourceChanged, false]);
    }
}
