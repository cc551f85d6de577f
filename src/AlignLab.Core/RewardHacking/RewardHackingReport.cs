using AlignLab.Core.Construction;

namespace AlignLab.Core.RewardHacking;

/// <summary>The rollouts of one stretch of training steps, summarised.</summary>
public sealed record RewardHackingPhase(
    long FromStep, long ToStep, int Rollouts,
    double QueryCopyShare, double MeanQueryOverlap,
    double MeanRepeat4, double RepetitiveShare,
    double MeanWords, double MedianWords, double P90Words, double TruncatedShare);

/// <summary>A PPO run's reward-hacking report, after the shortcuts “Preference-free Alignment Learning with Regularized Relevance Reward” found policies taking against relevance
/// rewards: how often responses copy the query, how repetitive they
/// are and how long, phase by phase over training, with the first and last phase's length distributions on one
/// scale. Warnings name a failure mode that grew from the first phase to the last.</summary>
public sealed record RewardHackingReport(
    int Rollouts, IReadOnlyList<RewardHackingPhase> Phases, RewardHistogram FirstLengths, RewardHistogram LastLengths,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A share (copying, repetition, truncation) is flagged when it reaches this in the last phase…</summary>
    public const double FlaggedShare = 0.2;
    /// <summary>…and grew by at least this much since the first.</summary>
    public const double FlaggedRise = 0.1;
    /// <summary>Mean length is flagged when the last phase's is at least this many times the first's.</summary>
    public const double FlaggedGrowth = 2;

    public static RewardHackingReport Build(IReadOnlyList<RolloutStat> stats, int phases = 5, int bins = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(phases, 1);
        var steps = stats.Select(s => s.Step).Distinct().Order().ToArray();
        var groups = new List<RewardHackingPhase>();
        var count = Math.Min(phases, steps.Length);
        for (int k = 0; k < count; k++)
        {
            // Contiguous stretches of (nearly) equally many steps.
            long from = steps[k * steps.Length / count], to = steps[(k + 1) * steps.Length / count - 1];
            groups.Add(Summarise(from, to, [.. stats.Where(s => s.Step >= from && s.Step <= to)]));
        }
        if (groups.Count == 0) return new RewardHackingReport(0, [], RewardHistogram.Build([], bins), RewardHistogram.Build([], bins), []);

        var (first, last) = (groups[0], groups[^1]);
        var firstWords = Lengths(stats, first);
        var lastWords = Lengths(stats, last);
        double min = firstWords.Concat(lastWords).Min(), max = firstWords.Concat(lastWords).Max();
        return new RewardHackingReport(stats.Count, groups,
            RewardHistogram.Build(firstWords, bins, min, max), RewardHistogram.Build(lastWords, bins, min, max), Flag(first, last));
    }

    private static double[] Lengths(IReadOnlyList<RolloutStat> stats, RewardHackingPhase phase) =>
        [.. stats.Where(s => s.Step >= phase.FromStep && s.Step <= phase.ToStep).Select(s => (double)s.Words)];

    private static RewardHackingPhase Summarise(long from, long to, IReadOnlyList<RolloutStat> rollouts)
    {
        var words = rollouts.Select(r => (double)r.Words).Order().ToArray();
        return new RewardHackingPhase(from, to, rollouts.Count,
            rollouts.Average(r => r.CopiesQuery ? 1.0 : 0.0), rollouts.Average(r => r.QueryOverlap),
            rollouts.Average(r => r.Repeat4), rollouts.Average(r => r.Repetitive ? 1.0 : 0.0),
            words.Average(), Percentile(words, 0.5), Percentile(words, 0.9), rollouts.Average(r => r.Truncated ? 1.0 : 0.0));
    }

    /// <summary>Nearest-rank percentile of sorted values: the smallest value with at least p of them at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static List<string> Flag(RewardHackingPhase first, RewardHackingPhase last)
    {
        var warnings = new List<string>();
        void Share(double early, double late, string what)
        {
            if (late >= FlaggedShare && late - early >= FlaggedRise)
                warnings.Add($"{late:P0} of the responses in steps {last.FromStep}–{last.ToStep} {what} ({early:P0} in steps {first.FromStep}–{first.ToStep})");
        }
        Share(first.QueryCopyShare, last.QueryCopyShare, "copy the query");
        Share(first.RepetitiveShare, last.RepetitiveShare, "repeat more than half of their 4-grams");
        Share(first.TruncatedShare, last.TruncatedShare, "run to the length limit");
        if (first.MeanWords > 0 && last.MeanWords >= FlaggedGrowth * first.MeanWords)
            warnings.Add($"responses grew from {first.MeanWords:0.#} to {last.MeanWords:0.#} words on average (steps {first.FromStep}–{first.ToStep} → {last.FromStep}–{last.ToStep})");
        return warnings;
    }
}
