using System.Globalization;
using System.Text;
using AlignLab.Core.Export;

namespace AlignLab.Core.Evaluation;

/// <summary>An evaluation's results as a table: one row per model, one column per (set, metric), each cell the result with
/// its interval, and each model's difference to a chosen baseline model. What the leaderboard page shows and its CSV
/// export writes.</summary>
public sealed class Leaderboard
{
    private readonly Dictionary<(string Model, string Set, string Metric), EvaluationArtifacts.ResultRow> _cells;

    public sealed record Column(string Set, string Metric);

    public IReadOnlyList<string> Models { get; }
    public IReadOnlyList<Column> Columns { get; }

    /// <param name="models">The models in the order the run named them; a model with results that is not named follows.</param>
    public Leaderboard(IReadOnlyList<EvaluationArtifacts.ResultRow> results, IReadOnlyList<string> models)
    {
        _cells = results.ToDictionary(r => (r.Model, r.Set, r.Metric));
        Models = [.. models.Concat(results.Select(r => r.Model)).Distinct()];
        Columns = [.. results.Select(r => new Column(r.Set, r.Metric)).Distinct()];
    }

    public EvaluationArtifacts.ResultRow? Cell(string model, Column column) => _cells.GetValueOrDefault((model, column.Set, column.Metric));

    /// <summary>The model's value minus the baseline's in a column; null without a baseline, for the baseline itself, or when
    /// either has no value there.</summary>
    public double? Delta(string model, Column column, string? baseline) =>
        baseline is null || model == baseline || Cell(model, column) is not { } cell || Cell(baseline, column) is not { } reference
            ? null
            : cell.Value - reference.Value;

    /// <summary>The models ordered by a column's value (models without one last, in their run order).</summary>
    public IReadOnlyList<string> SortedBy(Column? column, bool descending)
    {
        if (column is null) return Models;
        var valued = Models.Where(m => Cell(m, column) is not null);
        var ordered = descending ? valued.OrderByDescending(m => Cell(m, column)!.Value) : valued.OrderBy(m => Cell(m, column)!.Value);
        return [.. ordered, .. Models.Where(m => Cell(m, column) is null)];
    }

    /// <summary>Every cell as a CSV row: model, set, metric, value, low, high, items, and the difference to the baseline
    /// (empty without one).</summary>
    public string Csv(string? baseline)
    {
        var csv = new StringBuilder("model,set,metric,value,low,high,items,delta_to_baseline\n");
        static string Number(double? x) => x?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        foreach (var model in Models)
            foreach (var column in Columns)
                if (Cell(model, column) is { } cell)
                    csv.Append(string.Join(',', CsvField.Escape(model), CsvField.Escape(column.Set), CsvField.Escape(column.Metric), Number(cell.Value),
                        Number(cell.Low), Number(cell.High), cell.Items.ToString(CultureInfo.InvariantCulture), Number(Delta(model, column, baseline)))).Append('\n');
        return csv.ToString();
    }
}
