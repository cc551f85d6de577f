using System.Globalization;
using System.Text;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;

namespace AlignLab.Web.Comparisons;

/// <summary>One run of a comparison: its metrics' points, each metric's last point, and its evaluation results (an evaluation
/// run's, or a training run's evaluation of its export), if any.</summary>
public sealed record ComparedRun(Guid Id, string Name, string Method, RunStatus Status, IReadOnlyDictionary<string, MetricPoint> Final,
    IReadOnlyList<EvaluationArtifacts.ResultRow> Evaluation)
{
    /// <summary>All points, by metric, in step order (not serialised: the chart reads them).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<MetricPoint> Points { get; init; } = [];

    /// <summary>Its resolved parameters (not serialised: the page's configuration table reads them).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> Parameters { get; init; } = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();
}

/// <summary>Several runs side by side, as the compare page and /api/runs/compare show them, and as CSV.</summary>
public sealed class RunComparison(RunRepository runs, MetricRepository metrics, Runs.RunEvaluation evaluations)
{
    public const int MaxRuns = 10;

    /// <summary>The runs in the order asked for; null with the reason when an id is malformed, repeated or unknown.</summary>
    public async Task<(IReadOnlyList<ComparedRun>? Runs, string? Error)> LoadAsync(string? ids, CancellationToken cancellationToken)
    {
        var parts = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is 0 or > MaxRuns) return (null, $"give 1 to {MaxRuns} run ids, comma-separated");
        var compared = new List<ComparedRun>();
        foreach (var part in parts)
        {
            if (!Guid.TryParse(part, out var id)) return (null, $"'{part}' is not a run id");
            if (compared.Any(r => r.Id == id)) return (null, $"run {id} is listed twice");
            if (await runs.GetAsync(id, cancellationToken) is not { } run) return (null, $"no run {id}");
            var points = await metrics.ListAsync(id, cancellationToken: cancellationToken);
            var final = points.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.MaxBy(p => p.Step));
            compared.Add(new ComparedRun(id, run.Spec.Name, run.Spec.Method, run.Status, final, await evaluations.ReadResultsAsync(id, cancellationToken))
                { Points = points, Parameters = run.Spec.Parameters });
        }
        return (compared, null);
    }

    /// <summary>CSV (RFC 4180) with a header: run_id, run_name, method, status, metric, step, value: every point, or
    /// only each metric's last one.</summary>
    public static string Csv(IReadOnlyList<ComparedRun> compared, bool allPoints)
    {
        var csv = new StringBuilder("run_id,run_name,method,status,metric,step,value\n");
        foreach (var run in compared)
        {
            var rows = allPoints ? run.Points.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Step) : run.Final.Values.OrderBy(p => p.Name, StringComparer.Ordinal);
            foreach (var point in rows)
                csv.Append(run.Id).Append(',').Append(Field(run.Name)).Append(',').Append(Field(run.Method)).Append(',').Append(run.Status).Append(',')
                   .Append(Field(point.Name)).Append(',').Append(point.Step).Append(',').Append(point.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    private static string Field(string value) => Core.Export.CsvField.Escape(value);
}
