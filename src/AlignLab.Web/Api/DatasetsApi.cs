using AlignLab.Core.Datasets;
using AlignLab.Data.Datasets;
using AlignLab.Web.Datasets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/datasets: upload datasets of every kind (SPA, pool, minimal edits, preference pairs; JSON array or JSON
/// Lines), list them, browse their examples under the field names they were uploaded with.</summary>
public static class DatasetsApi
{
    public const long MaxUploadBytes = DatasetImport.MaxBytes;

    public static RouteGroupBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/datasets").WithTags("Datasets");
        foreach (var layout in DatasetLayout.All)
            group.MapPost($"/{layout.Kind}", (HttpRequest request, string? name, string? model, bool? skipBadLines, DatasetImport import, CancellationToken ct) =>
                    UploadAsync(layout, request, name, model, skipBadLines, import, ct))
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
        group.MapGet("/{id:guid}/rewards", async Task<Results<Ok<IReadOnlyList<ColumnRewards>>, NotFound, ValidationProblem>> (
            Guid id, string? model, string? template, int? limit, int? bins, DatasetRewards rewards, DatasetRepository datasets, CancellationToken ct) =>
        {
            if (await datasets.GetAsync(id, ct) is null) return TypedResults.NotFound();
            var (columns, errors) = await rewards.ScoreAsync(id, model, template, limit ?? 200, bins ?? 20, ct);
            return columns is null ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(columns);
        }).WithName("ScoreDataset").WithSummary("Each response column of the first examples scored by a reward model, with histograms on one scale (FIGA's figure 2)");
        return group;
    }

    public sealed record UploadResult(DatasetRepository.DatasetInfo Dataset, int SkippedLines, IReadOnlyList<string> Problems);

    private static async Task<Results<Created<UploadResult>, ValidationProblem>> UploadAsync(DatasetLayout layout,
        HttpRequest request, string? name, string? model, bool? skipBadLines, DatasetImport import, CancellationToken cancellationToken)
    {
        var content = await ReadFileAsync(request, cancellationToken);
        if (content.Error is not null)
        {
            // Report the other fields' problems with the file's.
            var errors = import.CheckFields(name, model).Errors;
            errors["file"] = [content.Error];
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await import.ImportAsync(layout, content.Bytes, name, model, skipBadLines == true, cancellationToken);
        if (outcome.Dataset is not { } dataset) return TypedResults.ValidationProblem(outcome.Errors, title: outcome.Title);
        return TypedResults.Created($"/api/datasets/{dataset.Id}", new UploadResult(dataset, outcome.SkippedLines, outcome.Problems));
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
