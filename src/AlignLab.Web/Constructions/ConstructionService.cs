using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.Models;
using AlignLab.Core.Tokenization;
using AlignLab.Data.Construction;
using AlignLab.Data.Runs;

namespace AlignLab.Web.Constructions;

/// <summary>What the API and the pages do with an SPA construction: its summary with reward histograms (for any
/// η the user tries), the annotators' queue, and turning the revised instances into a dataset.</summary>
public sealed class ConstructionService(ConstructionRepository constructions, RunRepository runs, IModelCatalog registry)
{
    public sealed record Histograms(RewardHistogram Rollout, RewardHistogram Reference, RewardHistogram Margin);

    public sealed record Summary(Guid RunId, string Revision, RewardThresholds Thresholds, Guid? DatasetId,
        IReadOnlyDictionary<string, int> Counts, int Scored, Histograms Rewards, RewardThresholds Preview, int PreviewKept);

    /// <param name="eta1">Thresholds to preview; each one not given is the run's own.</param>
    public async Task<Summary?> SummaryAsync(Guid runId, double? eta1 = null, double? eta2 = null, double? eta3 = null, int bins = 20,
        CancellationToken cancellationToken = default)
    {
        if (await constructions.GetAsync(runId, cancellationToken) is not { } info) return null;
        var rewards = await constructions.RewardsAsync(runId, cancellationToken);
        var thresholds = new RewardThresholds(eta1 ?? info.Eta1, eta2 ?? info.Eta2, eta3 ?? info.Eta3);
        var histograms = new Histograms(
            RewardHistogram.Build(rewards.Select(r => r.RolloutReward).ToList(), bins),
            RewardHistogram.Build(rewards.Select(r => r.OutputReward).ToList(), bins),
            RewardHistogram.Build(rewards.Select(r => r.OutputReward - r.RolloutReward).ToList(), bins));
        return new Summary(runId, info.Revision, info.Thresholds, info.DatasetId, await constructions.CountsAsync(runId, cancellationToken),
            rewards.Count, histograms, thresholds, rewards.Count(r => thresholds.Keeps(r.RolloutReward, r.OutputReward)));
    }

    public async Task<int> WaitingAsync(Guid runId, CancellationToken cancellationToken = default) =>
        (await constructions.CountsAsync(runId, cancellationToken)).GetValueOrDefault(ConstructionStatus.AwaitingAnnotation);

    public Task<IReadOnlyList<ConstructionItem>> ItemsAsync(Guid runId, string? status, int offset, int limit, CancellationToken cancellationToken = default) =>
        constructions.ItemsAsync(runId, status, offset, limit, cancellationToken);

    public sealed record AnnotationResult(ConstructionRepository.AnnotationOutcome Outcome, int StillWaiting, Guid? DatasetId);

    /// <summary>Stores an annotator's revision (null: skip). When it was the last waiting instance the dataset is made.</summary>
    public async Task<AnnotationResult> AnnotateAsync(Guid runId, int index, string? revised, string annotator, CancellationToken cancellationToken = default)
    {
        var (outcome, waiting) = await constructions.AnnotateAsync(runId, index, revised, annotator, cancellationToken);
        Guid? datasetId = null;
        if (outcome == ConstructionRepository.AnnotationOutcome.Saved && waiting == 0)
            datasetId = await FinalizeAsync(runId, cancellationToken);
        return new AnnotationResult(outcome, waiting, datasetId);
    }

    /// <summary>Makes the dataset from the instances revised so far (those still waiting are skipped); null when none is.
    /// Throws <see cref="ArgumentException"/> when the run's model (whose tokens the statistics count) cannot be used now.</summary>
    public async Task<Guid?> FinalizeAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await runs.GetAsync(runId, cancellationToken) ?? throw new KeyNotFoundException($"no run {runId}");
        var model = new MethodParameters(run.Spec.Parameters).GetString("model");
        var folder = registry.Resolve(model);
        if (registry.Inspect(folder).Problem is { } problem)
            throw new ArgumentException($"the run's model '{model}', whose tokens the statistics count, cannot be used: {problem}");
        var tokenizer = TextTokenizer.Load(folder);
        // Without a reward model the statistics are token counts and edit operations: no prompt is rendered.
        return await constructions.FinalizeAsync(runId, ConstructedDataset.Name(run.Spec.Name, runId),
            records => new { tokenizer = model, construction = runId, stats = SpaStatistics.Compute(records, tokenizer.Encode) },
            cancellationToken);
    }
}
