namespace AlignLab.Core.Evaluation;

/// <summary>The metrics of an evaluation, from its item records: per (model, set), for multiple choice <c>acc</c> and
/// <c>acc_norm</c>, and <c>acc/{group}</c> for each group its items name; for generation the response statistics (<c>words</c>, <c>repeat_4gram</c>, <c>query_copy</c>,
/// <c>distinct_1</c>, <c>distinct_2</c>, <c>self_bleu</c>) and, with a reward model, <c>reward_mean</c> and
/// <c>reward_median</c>; with a judge, <c>win_rate</c> against the baseline, <c>win_rate_lc</c> (length-controlled, when
/// asked) and <c>judge_failed</c>; with the relevance judge, <c>rel_sentences</c> and <c>relevance_failed</c>. A per-item metric gets a percentile bootstrap 95% interval over the items; distinct-n and
/// Self-BLEU describe the whole set and get none (their low and high are the value): a resample repeats responses,
/// which both count as lost diversity.</summary>
public static class EvaluationResults
{
    public static IReadOnlyList<EvaluationArtifacts.ResultRow> Compute(IReadOnlyList<EvaluationArtifacts.ItemRow> items, int resamples, int seed,
        IReadOnlyList<EvaluationArtifacts.JudgementRow>? judgements = null, IReadOnlyList<EvaluationArtifacts.RelevanceRow>? relevance = null,
        bool lengthControlled = false)
    {
        var results = new List<EvaluationArtifacts.ResultRow>();
        var byKey = items.ToDictionary(EvaluationArtifacts.Key);
        // The win rate against the baseline over the items the judge decided; those it failed on are counted apart.
        foreach (var group in (judgements ?? []).GroupBy(j => (j.Model, j.Set)))
        {
            var decided = group.Where(j => j.Score is not null).OrderBy(j => j.Index).ToList();
            var scores = decided.Select(j => j.Score!.Value).ToList();
            if (scores.Count > 0)
            {
                var (low, high) = Bootstrap.Interval(scores, Bootstrap.Mean, resamples, seed);
                results.Add(new(group.Key.Model, group.Key.Set, "win_rate", Bootstrap.Mean(scores), low, high, scores.Count));
            }
            if (lengthControlled && decided.Count > 0)
            {
                // Lengths in characters, the baseline's being the reference answer or the baseline model's response.
                var lengths = decided.Select(j => new LengthControlledWinRate.Item(j.Score!.Value,
                    (byKey.GetValueOrDefault((j.Model, j.Set, j.Index))?.Response ?? "").Length,
                    (j.Baseline == EvaluationArtifacts.ReferenceBaseline
                        ? byKey.GetValueOrDefault((j.Model, j.Set, j.Index))?.Reference
                        : byKey.GetValueOrDefault((j.Baseline, j.Set, j.Index))?.Response ?? "")?.Length ?? 0)).ToList();
                var fit = LengthControlledWinRate.Fit(lengths);
                var (low, high) = LengthControlledWinRate.Interval(lengths, resamples, seed);
                results.Add(new(group.Key.Model, group.Key.Set, "win_rate_lc", fit.Value / 100, low / 100, high / 100, lengths.Count));
            }
            var failed = group.Count(j => j.Score is null);
            results.Add(new(group.Key.Model, group.Key.Set, "judge_failed", failed, failed, failed, group.Count()));
        }
        // The relevant sentence ratio (%Rel): each response's share of relevant sentences, averaged over the responses.
        foreach (var group in (relevance ?? []).GroupBy(r => (r.Model, r.Set)))
        {
            var ratios = group.OrderBy(r => r.Index).Select(r => r.Sentences is { } s ? RelevantSentences.Ratio(s) : null).OfType<double>().ToList();
            if (ratios.Count > 0)
            {
                var (low, high) = Bootstrap.Interval(ratios, Bootstrap.Mean, resamples, seed);
                results.Add(new(group.Key.Model, group.Key.Set, "rel_sentences", Bootstrap.Mean(ratios), low, high, ratios.Count));
            }
            var failed = group.Count(r => r.Sentences is null);
            results.Add(new(group.Key.Model, group.Key.Set, "relevance_failed", failed, failed, failed, group.Count()));
        }
        foreach (var group in items.GroupBy(i => (i.Model, i.Set)))
        {
            var rows = group.OrderBy(i => i.Index).ToList();
            void PerItem(string metric, IReadOnlyList<double> values, Func<IReadOnlyList<double>, double> statistic)
            {
                if (values.Count == 0) return;
                var (low, high) = Bootstrap.Interval(values, statistic, resamples, seed);
                results.Add(new(group.Key.Model, group.Key.Set, metric, statistic(values), low, high, values.Count));
            }
            void Whole(string metric, double value) => results.Add(new(group.Key.Model, group.Key.Set, metric, value, value, value, rows.Count));

            if (rows.All(r => r.Scores is not null))
            {
                PerItem("acc", [.. rows.Select(r => r.Prediction == r.Answer ? 1.0 : 0.0)], Bootstrap.Mean);
                PerItem("acc_norm", [.. rows.Select(r => r.PredictionNorm == r.Answer ? 1.0 : 0.0)], Bootstrap.Mean);
                // Per group too (CrowS-Pairs' bias types, Winogender's genders): "acc/female".
                foreach (var byGroup in rows.Where(r => r.Group is not null).GroupBy(r => r.Group!).OrderBy(g => g.Key, StringComparer.Ordinal))
                    PerItem($"acc/{byGroup.Key}", [.. byGroup.Select(r => r.Prediction == r.Answer ? 1.0 : 0.0)], Bootstrap.Mean);
                continue;
            }
            var responses = rows.Select(r => r.Response ?? "").ToList();
            PerItem("words", [.. responses.Select(r => TextStatistics.MeanWords([r]))], Bootstrap.Mean);
            PerItem("repeat_4gram", [.. responses.Select(r => TextStatistics.RepeatedNgrams(r))], Bootstrap.Mean);
            PerItem("query_copy", [.. rows.Select(r => TextStatistics.CopiesQueryShare([(r.Prompt, r.Response ?? "")]))], Bootstrap.Mean);
            Whole("distinct_1", TextStatistics.DistinctN(responses, 1));
            Whole("distinct_2", TextStatistics.DistinctN(responses, 2));
            if (responses.Count >= 2) Whole("self_bleu", TextStatistics.SelfBleu(responses));
            var rewards = rows.Where(r => r.Reward is not null).Select(r => r.Reward!.Value).ToList();
            PerItem("reward_mean", rewards, Bootstrap.Mean);
            PerItem("reward_median", rewards, Median);
        }
        return results;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
