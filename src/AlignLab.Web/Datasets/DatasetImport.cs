using AlignLab.Core.Datasets;
using AlignLab.Core.Datasets.Sources;
using AlignLab.Core.Demo;
using AlignLab.Core.Models;
using AlignLab.Core.Tokenization;
using AlignLab.Data.Datasets;
using AlignLab.Web.Auth;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Datasets;

/// <summary>Imports a dataset file the one way the API and the wizard both use: validate every record first, then
/// store the dataset with its statistics (counted in a model's tokens) in one transaction, or store nothing.</summary>
public sealed class DatasetImport(DatasetRepository datasets, IModelCatalog registry, IOptionsMonitor<LimitsOptions> limits)
{
    private const int MaxReportedErrors = 100;

    /// <summary>The largest file accepted (AlignLab:Limits:MaxUploadBytes).</summary>
    public long MaxBytes => limits.CurrentValue.MaxUploadBytes;

    public static string TooLarge(long maxBytes) => $"larger than {Size(maxBytes)} (AlignLab:Limits:MaxUploadBytes)";

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.#} MB" : $"{bytes:N0} bytes";

    /// <summary>Stored: the dataset and the bad lines skipped; refused: errors by field ("name", "model", "file",
    /// "line 41.original_output") and a title that says what happened. <see cref="OverLimit"/>: refused for its size
    /// (bytes or examples), not its content. <see cref="Stats"/>, <see cref="Examples"/> and <see cref="BadLines"/>:
    /// what the file holds (also when it was only checked, not stored).</summary>
    public sealed record Outcome(DatasetRepository.DatasetInfo? Dataset, int SkippedLines, IReadOnlyList<string> Problems,
        IReadOnlyDictionary<string, string[]> Errors, string? Title, bool OverLimit = false, object? Stats = null, int Examples = 0, int BadLines = 0);

    /// <summary>The model whose tokens the statistics count: the one named, else the demo model.</summary>
    private static string TokenizerOf(string? model) => string.IsNullOrWhiteSpace(model) ? DemoPolicy.BaseModel : model;

    /// <summary>The errors of the name and the model (whose tokens the statistics count), and the model's folder.</summary>
    public (Dictionary<string, string[]> Errors, string? ModelFolder) CheckFields(string? name, string? model)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) errors["name"] = ["required, at most 200 characters"];
        string? modelFolder = null;
        try { modelFolder = registry.Resolve(TokenizerOf(model)); }
        catch (ArgumentException e) { errors["model"] = [$"statistics are counted in this model's tokens: {e.Message}"]; }
        if (modelFolder is not null && registry.Inspect(modelFolder).Problem is { } problem)
            (errors["model"], modelFolder) = ([$"statistics are counted in this model's tokens, and it cannot be used: {problem}"], null);
        return (errors, modelFolder);
    }

    /// <summary>The converted records checked like an upload of the kind, each problem at its line in the source file.</summary>
    private static DatasetParser.Result ParseConverted(ConvertedFile converted, DatasetLayout layout)
    {
        var lines = string.Join('\n', converted.Records.Select(r => r.Record.ToJsonString()));
        var parsed = DatasetParser.Parse(System.Text.Encoding.UTF8.GetBytes(lines), layout);
        var errors = converted.Errors
            .Concat(parsed.Errors.Select(e => e with { Line = e.Line >= 1 && e.Line <= converted.Records.Count ? converted.Records[e.Line - 1].Line : e.Line }))
            .OrderBy(e => e.Line).ToList();
        return new DatasetParser.Result(parsed.Records, errors, parsed.Lines + converted.Errors.Select(e => e.Line).Distinct().Count());
    }

    /// <summary>Validates the file and, when <paramref name="store"/>, stores it; a check only (a validation report) needs no name.</summary>
    /// <param name="from">A public benchmark's file layout to convert from (<see cref="SourceFormats"/>); null: the kind's own fields.</param>
    public async Task<Outcome> ImportAsync(DatasetLayout layout, byte[]? bytes, string? name, string? model, bool skipBadLines,
        CancellationToken cancellationToken, bool store = true, string? from = null)
    {
        var (errors, modelFolder) = CheckFields(store ? name : "unnamed", model);
        var format = from is null ? null : SourceFormats.Find(from);
        if (from is not null && format is null)
            errors["from"] = [$"unknown source format '{from}'; known: {string.Join(", ", SourceFormats.All.Select(f => f.Name))}"];
        else if (format is not null && format.Kind != layout.Kind)
            errors["from"] = [$"{format.Name} files become {format.Kind} datasets; upload it to /api/datasets/{format.Kind}"];
        var tooLarge = bytes is not null && bytes.LongLength > MaxBytes;
        if (bytes is null || bytes.Length == 0) errors["file"] = ["empty"];
        else if (tooLarge) errors["file"] = [TooLarge(MaxBytes)];
        if (errors.Count > 0) return new Outcome(null, 0, [], errors, null, tooLarge);

        var parsed = format is null ? DatasetParser.Parse(bytes!, layout) : ParseConverted(format.Convert(bytes!), layout);
        var maxLines = limits.CurrentValue.MaxDatasetLines;
        if (parsed.Records.Count + parsed.BadLines > maxLines)
            return new Outcome(null, 0, [], new Dictionary<string, string[]>
            {
                ["file"] = [$"{parsed.Records.Count + parsed.BadLines:N0} examples; at most {maxLines:N0} (AlignLab:Limits:MaxDatasetLines)"],
            }, "The dataset has too many examples; nothing was stored", OverLimit: true);
        var problems = parsed.Errors.Take(MaxReportedErrors).Select(e => e.ToString()).ToList();
        if (parsed.Errors.Count > MaxReportedErrors) problems.Add($"… and {parsed.Errors.Count - MaxReportedErrors} more");
        if (parsed.Records.Count == 0 || (parsed.Errors.Count > 0 && !skipBadLines))
        {
            var byField = parsed.Errors.Take(MaxReportedErrors).GroupBy(e => $"line {e.Line}.{e.Field}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            if (parsed.Records.Count == 0 && byField.Count == 0) byField["file"] = ["no records"];
            return new Outcome(null, 0, problems, byField, $"The {layout.Title} file has {parsed.BadLines} bad record(s); nothing was stored" +
                (parsed.Records.Count > 0 ? " (pass skipBadLines=true to import the good ones)" : ""), Examples: parsed.Records.Count, BadLines: parsed.BadLines);
        }

        var stats = DatasetStatistics.Compute(layout, parsed.Records, TextTokenizer.Load(modelFolder!).Encode);
        if (!store)
            return new Outcome(null, parsed.BadLines, problems, new Dictionary<string, string[]>(), null, Stats: stats,
                Examples: parsed.Records.Count, BadLines: parsed.BadLines);
        var dataset = await datasets.CreateAsync(name!.Trim(), layout.Kind, parsed.Records, new { tokenizer = TokenizerOf(model), stats }, cancellationToken);
        return new Outcome(dataset, parsed.BadLines, problems, new Dictionary<string, string[]>(), null);
    }
}
