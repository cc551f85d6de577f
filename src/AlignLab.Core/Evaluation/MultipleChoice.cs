namespace AlignLab.Core.Evaluation;

/// <summary>Multiple choice by log-likelihood, as lm-evaluation-harness scores it: each choice's score is the summed
/// log-probability of its tokens after the prompt; <c>acc</c> picks the highest score, <c>acc_norm</c> the highest score per
/// character of the choice (the harness's length normalisation). Ties go to the first choice, as numpy's argmax.</summary>
public static class MultipleChoice
{
    /// <summary>The index of the highest score (<c>acc</c>'s prediction).</summary>
    public static int Prediction(IReadOnlyList<double> scores) => ArgMax(scores.Count, i => scores[i]);

    /// <summary>The index of the highest score divided by the choice's length in characters (<c>acc_norm</c>'s prediction).</summary>
    public static int NormalizedPrediction(IReadOnlyList<double> scores, IReadOnlyList<string> choices)
    {
        if (scores.Count != choices.Count) throw new ArgumentException($"{scores.Count} scores for {choices.Count} choices");
        return ArgMax(scores.Count, i => scores[i] / choices[i].Length);
    }

    private static int ArgMax(int count, Func<int, double> value)
    {
        if (count == 0) throw new ArgumentException("no choices");
        var best = 0;
        for (int i = 1; i < count; i++)
            if (value(i) > value(best)) best = i;
        return best;
    }
}
