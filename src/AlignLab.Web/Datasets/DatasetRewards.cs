using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Core.Models;
using AlignLab.Core.RewardModeling;
using AlignLab.Core.Tokenization;
using AlignLab.Data.Datasets;

namespace AlignLab.Web.Datasets;

/// <summary>One response column of a dataset under a reward model: every score, its mean and its histogram.</summary>
public sealed record ColumnRewards(string Column, double[] Rewards, double Mean, RewardHistogram Histogram);

/// <summary>A dataset's responses scored by a reward model, as the FIGA paper's figure 2 shows its SPA data: the
/// distributions of R for the initial, the revised and the reference responses, on one scale. Scored by
/// <see cref="IRewardScorer"/> on this node's CPU, for the first <see cref="MaxExamples"/> examples at most. Datasets never change, so the scores are kept per
/// (dataset, model folder as last written, template, limit, bins): opening the same panel again costs nothing.</summary>
public sealed class DatasetRewards(DatasetRepository datasets, IModelCatalog registry, IRewardScorer scorer)
{
    public const int MaxExamples = 500;
    private const int MaxCached = 64;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<ColumnRewards>> _scored = new(StringComparer.Ordinal);


    /// <summary>Null with the error by field when the dataset, the model or the template will not do.</summary>
    public async Task<(IReadOnlyList<ColumnRewards>? Columns, IReadOnlyDictionary<string, string[]> Errors)> ScoreAsync(Guid datasetId,
        string? model, string? template, int limit, int bins, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxExamples) errors["limit"] = [$"must be between 1 and {MaxExamples}"];
        if (bins is < 1 or > 200) errors["bins"] = ["must be between 1 and 200"];
        string? folder = null;
        if (string.IsNullOrWhiteSpace(model)) errors["model"] = ["required: a reward model (an HF *ForSequenceClassification folder or a reward-model run's export)"];
        else
        {
            try { folder = registry.Resolve(model); }
            catch (ArgumentException e) { errors["model"] = [e.Message]; }
            if (folder is not null && registry.Inspect(folder).Problem is { } problem)
                (errors["model"], folder) = ([$"the model cannot be used: {problem}"], null);
        }
        // "model": the reward model's own chat template, resolved for its tokenizer when it scores (RewardModel.Score).
        var templateName = template ?? "alpaca";
        if (!PromptTemplate.Names.Contains(templateName)) errors["template"] = [$"unknown prompt template '{templateName}'; known: {string.Join(", ", PromptTemplate.Names)}"];
        if (errors.Count > 0) return (null, errors);
        if (await datasets.GetAsync(datasetId, cancellationToken) is not { } info) return (null, new Dictionary<string, string[]> { ["id"] = [$"no dataset {datasetId}"] });
        var key = $"{datasetId}|{folder}|{ModelFiles.FolderStamp(folder!).Ticks}|{templateName}|{limit}|{bins}";
        if (_scored.TryGetValue(key, out var known)) return (known, new Dictionary<string, string[]>());
        var records = await datasets.ExamplesAsync(datasetId, 0, limit, cancellationToken);

        var columns = DatasetLayout.For(info.Kind).Responses;
        IReadOnlyList<double[]> scores;
        try
        {
            scores = await scorer.ScoreAsync(folder!, templateName,
                [.. columns.Select(c => (IReadOnlyList<(string, string, string)>)[.. records.Select(r => (r.Instruction, r.Input, DatasetLayout.Read(r, c.Part)))])],
                cancellationToken);
        }
        catch (RewardScoringException e) { return (null, new Dictionary<string, string[]> { [e.Field] = [e.Message] }); }
        var all = scores.SelectMany(c => c).DefaultIfEmpty(0).ToList();
        double min = all.Min(), max = all.Max();
        IReadOnlyList<ColumnRewards> result = [.. columns.Zip(scores, (c, rewards) => new ColumnRewards(c.Name, rewards, rewards.DefaultIfEmpty(0).Average(),
            RewardHistogram.Build(rewards, bins, min, max)))];
        if (_scored.Count >= MaxCached) _scored.Clear();
        _scored[key] = result;
        return (result, new Dictionary<string, string[]>());
    }
}
