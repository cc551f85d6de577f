using System.Text.Json;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Methods;
using AlignLab.Core.Text;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Rewards;
using Row = AlignLab.Core.Evaluation.EvaluationArtifacts.ItemRow;

namespace AlignLab.Training.Methods.Evaluation;

/// <summary>The judged metrics of an evaluation, asked after every response is written: the win rate of each model's
/// responses against the baseline's, and the relevant sentence ratio. Each judgement is appended as it comes (JSON Lines),
/// so a resumed run asks only what is missing; an item the endpoint fails on is recorded as failed and the rest go on.</summary>
internal sealed class EvaluationJudging(IPairwiseJudge? pairwise, IRelevanceJudge? relevance)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Items judged at once by the endpoint.</summary>
    public const int Parallelism = 4;

    /// <summary>Why the endpoint judges cannot be asked; null when they can.</summary>
    public string? PairwiseUnavailable => EndpointAvailability.Problem(pairwise, pairwise?.NotConfiguredReason);
    public string? RelevanceUnavailable => EndpointAvailability.Problem(relevance, relevance?.NotConfiguredReason);

    /// <summary>Every model's response to every generation item against the baseline's, judged once and kept: the endpoint
    /// judge asks both orders; the reward-model judge compares the two rewards, scoring both sides the same way (the prompt
    /// as recorded, under the run's template).</summary>
    public async Task<List<EvaluationArtifacts.JudgementRow>> WinRateAsync(EvaluateRunOptions o, IReadOnlyList<string> sets, IReadOnlyList<Row> items,
        RewardModel? rewardModel, string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, EvaluationArtifacts.JudgementsFile);
        var judged = JsonLines.Read<EvaluationArtifacts.JudgementRow>(path, Json).DistinctBy(EvaluationArtifacts.Key).ToList();
        var done = judged.Select(EvaluationArtifacts.Key).ToHashSet();
        var byKey = items.ToDictionary(EvaluationArtifacts.Key);
        var baselineName = o.Baseline.Length > 0 ? o.Baseline : EvaluationArtifacts.ReferenceBaseline;
        // (model's item, the baseline's text) for every pair still to judge.
        var pending = new List<(Row Item, string Baseline)>();
        foreach (var item in items.Where(i => sets.Contains(i.Set) && i.Model != o.Baseline && !done.Contains(EvaluationArtifacts.Key(i))))
        {
            if (o.Baseline.Length > 0 && byKey.GetValueOrDefault((o.Baseline, item.Set, item.Index)) is { } other) pending.Add((item, other.Response ?? ""));
            else if (o.Baseline.Length == 0 && item.Reference is { } reference) pending.Add((item, reference));
        }
        double[] modelRewards = [], baselineRewards = [];
        if (o.Judge == EvaluateRunOptions.RewardModelJudge && pending.Count > 0)
        {
            var template = o.Template == PromptTemplate.ModelTemplateName ? ModelTemplateMarker : PromptTemplate.Named(o.Template);
            modelRewards = rewardModel!.Score([.. pending.Select(p => (p.Item.Prompt, "", p.Item.Response ?? ""))], template, o.BatchSize);
            baselineRewards = rewardModel.Score([.. pending.Select(p => (p.Item.Prompt, "", p.Baseline))], template, o.BatchSize);
        }
        await AskEachAsync(path, pending.Count, judged, (k, ct) =>
        {
            var (item, baseline) = pending[k];
            return o.Judge == EvaluateRunOptions.RewardModelJudge
                ? Task.FromResult(new EvaluationArtifacts.JudgementRow(item.Model, item.Set, item.Index, baselineName, WinRate.ByReward(modelRewards[k], baselineRewards[k])))
                : ByEndpointAsync(o.JudgePrompt, item, baseline, baselineName, ct);
        }, cancellationToken);
        return judged;
    }

    /// <summary>Every model's response to every generation item, sentence by sentence (%Rel). An empty response has no
    /// sentences and is not asked.</summary>
    public async Task<List<EvaluationArtifacts.RelevanceRow>> RelevanceAsync(EvaluateRunOptions o, IReadOnlyList<string> sets, IReadOnlyList<Row> items,
        string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, EvaluationArtifacts.RelevanceFile);
        var judged = JsonLines.Read<EvaluationArtifacts.RelevanceRow>(path, Json).DistinctBy(EvaluationArtifacts.Key).ToList();
        var done = judged.Select(EvaluationArtifacts.Key).ToHashSet();
        var pending = items.Where(i => sets.Contains(i.Set) && !string.IsNullOrWhiteSpace(i.Response) && !done.Contains(EvaluationArtifacts.Key(i))).ToList();
        await AskEachAsync(path, pending.Count, judged, async (k, ct) =>
        {
            var item = pending[k];
            try
            {
                var sentences = await relevance!.JudgeAsync(RelevantSentences.Render(o.RelevancePrompt, item.Prompt, item.Response!), ct);
                return new EvaluationArtifacts.RelevanceRow(item.Model, item.Set, item.Index, sentences);
            }
            catch (JudgeFailedException e)
            {
                return new EvaluationArtifacts.RelevanceRow(item.Model, item.Set, item.Index, null, e.Message);
            }
        }, cancellationToken);
        return judged;
    }

    /// <summary>Asks for <paramref name="count"/> judgements, <see cref="Parallelism"/> at a time, appending each to
    /// <paramref name="path"/> and to <paramref name="judged"/> as it comes.</summary>
    private static async Task AskEachAsync<TRow>(string path, int count, List<TRow> judged, Func<int, CancellationToken, Task<TRow>> ask,
        CancellationToken cancellationToken)
    {
        if (count == 0) return;
        await using var writer = JsonLines.Append(path);
        var gate = new SemaphoreSlim(1);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (k, ct) =>
            {
                var row = await ask(k, ct);
                await gate.WaitAsync(ct);
                try
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(row, Json));
                    await writer.FlushAsync(ct);
                    judged.Add(row);
                }
                finally { gate.Release(); }
            });
    }

    /// <summary>Stands for the "model" template: the reward model renders its own chat template (<see cref="RewardModel.Score"/>).</summary>
    private static readonly PromptTemplate ModelTemplateMarker = new(PromptTemplate.ModelTemplateName, (instruction, _) => instruction);

    private async Task<EvaluationArtifacts.JudgementRow> ByEndpointAsync(string template, Row item, string baseline, string baselineName, CancellationToken ct)
    {
        try
        {
            var asA = await pairwise!.JudgeAsync(PairwiseJudgePrompt.Render(template, item.Prompt, item.Response ?? "", baseline), ct);
            var asB = await pairwise.JudgeAsync(PairwiseJudgePrompt.Render(template, item.Prompt, baseline, item.Response ?? ""), ct);
            return new(item.Model, item.Set, item.Index, baselineName, WinRate.Score(asA.Verdict, asB.Verdict),
                [asA.Verdict.ToString(), asB.Verdict.ToString()], [asA.Reasoning, asB.Reasoning]);
        }
        catch (JudgeFailedException e)
        {
            return new(item.Model, item.Set, item.Index, baselineName, null, Error: e.Message);
        }
    }
}
