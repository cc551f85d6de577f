namespace AlignLab.Core.Evaluation;

/// <summary>What an evaluation run writes in its run folder, and the rows of <c>GET /api/runs/{id}/evaluation</c>: one
/// record per (model, set, item) as it is scored (JSON Lines, appended, so that a resumed run skips what is there), and
/// when the run ends one result per (model, set, metric) with its bootstrap 95% interval.</summary>
public static class EvaluationArtifacts
{
    public const string ItemsFile = "evaluation_items.jsonl";
    public const string ResultsFile = "evaluation.json";
    public const string JudgementsFile = "evaluation_judgements.jsonl";
    public const string RelevanceFile = "evaluation_relevance.jsonl";

    /// <summary>The baseline of a win rate against the set's reference answers.</summary>
    public const string ReferenceBaseline = "reference";

    /// <summary>One item of one set as one model did it. Multiple choice: the choices, every choice's summed log-probability
    /// (<see cref="Scores"/>), the <c>acc</c> and <c>acc_norm</c> predictions, the answer and the item's group, if any. Generation: the response, the
    /// reference if the set has one, and the reward if the run names a reward model.</summary>
    public sealed record ItemRow(string Model, string Set, int Index, string Prompt,
        IReadOnlyList<double>? Scores = null, int? Prediction = null, int? PredictionNorm = null, int? Answer = null,
        string? Response = null, string? Reference = null, double? Reward = null, int? ResponseTokens = null, bool? Truncated = null,
        IReadOnlyList<string>? Choices = null, string? Group = null);

    /// <summary>How one model's response to one generation item fared against the baseline's (<see cref="Baseline"/>: "reference"
    /// or a model): the item's <see cref="WinRate"/> score, the verdicts of both orders (model as (a), then as (b)) with the
    /// judge's reasoning, or why the judge failed on it (<see cref="Score"/> is then null and the item counts in
    /// <c>judge_failed</c>, not in the win rate).</summary>
    public sealed record JudgementRow(string Model, string Set, int Index, string Baseline, double? Score,
        IReadOnlyList<string>? Verdicts = null, IReadOnlyList<string>? Reasoning = null, string? Error = null);

    /// <summary>How the relevance judge marked each sentence of one model's response to one generation item (%Rel), or why
    /// it failed on it (<see cref="Sentences"/> is then null and the item counts in <c>relevance_failed</c>).</summary>
    public sealed record RelevanceRow(string Model, string Set, int Index, IReadOnlyList<SentenceVerdict>? Sentences, string? Error = null);

    /// <summary>One metric of one model on one set: its value, the bounds of its interval and the number of items behind it.</summary>
    public sealed record ResultRow(string Model, string Set, string Metric, double Value, double Low, double High, int Items);

    /// <summary>The whole evaluation, as the API returns it.</summary>
    public sealed record Evaluation(IReadOnlyList<ResultRow> Results, IReadOnlyList<ItemRow> Items, IReadOnlyList<JudgementRow> Judgements,
        IReadOnlyList<RelevanceRow> Relevance);

    /// <summary>The item keys already scored, to skip on resume.</summary>
    public static (string Model, string Set, int Index) Key(ItemRow row) => (row.Model, row.Set, row.Index);

    public static (string Model, string Set, int Index) Key(JudgementRow row) => (row.Model, row.Set, row.Index);

    public static (string Model, string Set, int Index) Key(RelevanceRow row) => (row.Model, row.Set, row.Index);
}
