using AlignLab.Core.Construction;
using AlignLab.Core.Datasets;
using AlignLab.Data.Datasets;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using AlignLab.Training.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Web.Datasets;

/// <summary>One response column of a dataset under a reward model: every score, its mean and its histogram.</summary>
public sealed record ColumnRewards(string Column, double[] Rewards, double Mean, RewardHistogram Histogram);

/// <summary>A dataset's responses scored by a reward model, as the FIGA paper's figure 2 shows its SPA data: the
/// distributions of R for the initial, the revised and the reference responses, on one scale. Scored on the web node's
/// CPU, for the first <see cref="MaxExamples"/> examples at most. Datasets never change, so the scores are kept per
/// (dataset, model folder as last written, template, limit, bins): opening the same panel again costs nothing.</summary>
public sealed class DatasetRewards(DatasetRepository datasets, ModelRegistry registry)
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
            if (folder is not null && Training.Registry.ModelInspection.Inspect(folder).Problem is { } problem)
                (errors["model"], folder) = ([$"the model cannot be used: {problem}"], null);
        }
        // "model": the reward model's own chat template, resolved for its tokenizer when it scores (RewardModel.Score).
        var templateName = template ?? "alpaca";
        if (!PromptTemplate.Names.Contains(templateName)) errors["template"] = [$"unknown prompt template '{templateName}'; known: {string.Join(", ", PromptTemplate.Names)}"];
        if (errors.Count > 0) return (null, errors);
        if (await datasets.GetAsync(datasetId, cancellationToken) is not { } info) return (null, new Dictionary<string, string[]> { ["id"] = [$"no dataset {datasetId}"] });
        var key = $"{datasetId}|{folder}|{ModelInspection.FolderStamp(folder!).Ticks}|{templateName}|{limit}|{bins}";
        if (_scored.TryGetValue(key, out var known)) return (known, new Dictionary<string, string[]>());
        var records = await datasets.ExamplesAsync(datasetId, 0, limit, cancellationToken);

        return await Task.Run(() =>
        {
            RewardModel rewardModel;
            try { rewardModel = RewardModel.Load(folder!, CPU); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return ((IReadOnlyList<ColumnRewards>?)null, (IReadOnlyDictionary<string, string[]>)new Dictionary<string, string[]> { ["model"] = [$"not a reward model: {e.Message}"] });
            }
            using (rewardModel)
            {
                PromptTemplate prompt;
                try { prompt = PromptTemplate.Resolve(templateName, rewardModel.Tokenizer); }
                catch (Exception e) when (e is ArgumentException or Core.ChatTemplates.ChatTemplateException)
                {
                    return ((IReadOnlyList<ColumnRewards>?)null, (IReadOnlyDictionary<string, string[]>)new Dictionary<string, string[]> { ["template"] = [e.Message] });
                }
                var scored = DatasetLayout.For(info.Kind).Responses
                    .Select(c => (Column: c.Name, Rewards: rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, DatasetLayout.Read(r, c.Part)))], prompt))).ToList();
                var all = scored.SelectMany(c => c.Rewards).DefaultIfEmpty(0).ToList();
                double min = all.Min(), max = all.Max();
                IReadOnlyList<ColumnRewards> columns = [.. scored.Select(c => new ColumnRewards(c.Column, c.Rewards, c.Rewards.DefaultIfEmpty(0).Average(),
                    RewardHistogram.Build(c.Rewards, bins, min, max)))];
                if (_scored.Count >= MaxCached) _scored.Clear();
                _scored[key] = columns;
                return (columns, (IReadOnlyDictionary<string, string[]>)new Dictionary<string, string[]>());
            }
        }, cancellationToken);
    }
}
