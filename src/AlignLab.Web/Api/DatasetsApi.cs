using AlignLab.Core.Datasets;
using AlignLab.Data.Datasets;
using AlignLab.Training.Registry;
using AlignLab.Training.Tokenization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/datasets: upload datasets of every kind (SPA, pool, minimal edits, preference pairs; JSON array or JSON
/// Lines), list them, browse their examples under the field names they were uploaded with.</summary>
public static class DatasetsApi
{
    public const long MaxUploadBytes = 200L << 20;
    private const int MaxReportedErrors = 100;

    public static RouteGroupBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/datasets").WithTags("Datasets");
        foreach (var layout in DatasetLayout.All)
            group.MapPost($"/{layout.Kind}", (HttpRequest request, string? name, string? model, bool? skipBadLines, DatasetRepository datasets, ModelRegistry registry, CancellationToken ct) =>
                    UploadAsync(layout, request, name, model, skipBadLines, datasets, registry, ct))
                .WithName($"Upload{char.ToUpperInvariant(layout.Kind[0])}{layout.Kind[1..]}Dataset").DisableAntiforgery()
                .WithSummary($"Import a {layout.Title} dataset (fields {layout.FieldNames}; input optional); body: the file (JSON array or JSON Lines), or multipart with a file");
        group.MapGet("/", async (DatasetRepository datasets, CancellationToken ct) => TypedResults.Ok(await datasets.ListAsync(ct))).WithName("ListDatasets");
        group.MapGet("/{id:guid}", async Task<Results<Ok<DatasetRepository.DatasetInfo>, NotFound>> (Guid id, DatasetRepository datasets, CancellationToken ct) =>
            await datasets.GetAsync(id, ct) is { } info ? TypedResults.Ok(info) : TypedResults.NotFound()).WithName("GetDataset");
        group.MapGet("/{id:guid}/examples", async Task<Results<Ok<IReadOnlyList<IReadOnlyDictionary<string, string>>>, NotFound, ValidationProblem>> (
            Guid id, int? offset, int? limit, DatasetRepository datasets, CancellationToken ct) =>
        {
            if (offset < 0 || limit is < 1 or > 500)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["offset ≥ 0 and 1 ≤ limit ≤ 500"] });
            if (await datasets.GetAsync(id, ct) is not { } info) return TypedResults.NotFound();
            var layout = DatasetLayout.For(info.Kind);
            return TypedResults.Ok<IReadOnlyList<IReadOnlyDictionary<string, string>>>(
                [.. (await datasets.ExamplesAsync(id, offset ?? 0, limit ?? 50, ct)).Select(layout.ToFields)]);
        }).WithName("ListDatasetExamples");
        return group;
    }

    public sealed record UploadResult(DatasetRepository.DatasetInfo Dataset, int SkippedLines, IReadOnlyList<string> Problems);

    private static async Task<Results<Created<UploadResult>, ValidationProblem>> UploadAsync(DatasetLayout layout,
        HttpRequest request, string? name, string? model, bool? skipBadLines, DatasetRepository datasets, ModelRegistry registry,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) errors["name"] = ["required, at most 200 characters"];
        string? modelFolder = null;
        try { modelFolder = registry.Resolve(model ?? Training.Demo.DemoModel.Name); }
        catch (ArgumentException e) { errors["model"] = [$"statistics are counted in this model's tokens: {e.Message}"]; }
        var content = await ReadFileAsync(request, cancellationToken);
        if (content.Error is not null) errors["file"] = [content.Error];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var parsed = DatasetParser.Parse(content.Bytes!, layout);
        var problems = parsed.Errors.Take(MaxReportedErrors).Select(e => e.ToString()).ToList();
        if (parsed.Errors.Count > MaxReportedErrors) problems.Add($"… and {parsed.Errors.Count - MaxReportedErrors} more");
        if (parsed.Records.Count == 0 || (parsed.Errors.Count > 0 && skipBadLines != true))
        {
            var byField = parsed.Errors.Take(MaxReportedErrors).GroupBy(e => $"line {e.Line}.{e.Field}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            if (parsed.Records.Count == 0 && byField.Count == 0) byField["file"] = ["no records"];
            return TypedResults.ValidationProblem(byField, title: $"The {layout.Title} file has {parsed.Errors.Count} bad record(s); nothing was stored" +
                (parsed.Records.Count > 0 ? " (pass skipBadLines=true to import the good ones)" : ""));
        }

        var tokenizer = TextTokenizer.Load(modelFolder!);
        var stats = DatasetStatistics.Compute(layout, parsed.Records, tokenizer.Encode);
        var dataset = await datasets.CreateAsync(name!.Trim(), layout.Kind, parsed.Records, new { tokenizer = model ?? Training.Demo.DemoModel.Name, stats }, cancellationToken);
        return TypedResults.Created($"/api/datasets/{dataset.Id}", new UploadResult(dataset, parsed.Errors.Count, problems));
    }

    private static async Task<(byte[]? Bytes, string? Error)> ReadFileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxUploadBytes) return (null, $"larger than {MaxUploadBytes >> 20} MB");
        Stream source;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            if (form.Files.Count != 1) return (null, "send exactly one file");
            if (form.Files[0].Length > MaxUploadBytes) return (null, $"larger than {MaxUploadBytes >> 20} MB");
            source = form.Files[0].OpenReadStream();
        }
        else source = request.Body;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxUploadBytes) return (null, $"larger than {MaxUploadBytes >> 20} MB");
        }
        return buffer.Length == 0 ? (null, "empty") : (buffer.ToArray(), null);
    }
}
