using System.Security.Claims;
using AlignLab.Core.Datasets;
using AlignLab.Core.Datasets.Sources;
using AlignLab.Data.Datasets;
using AlignLab.Web.Auth;
using AlignLab.Web.Datasets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/datasets: upload datasets of every kind (SPA, pool, minimal edits, preference pairs; JSON array or JSON
/// Lines), list them, browse their examples under the field names they were uploaded with.</summary>
public static class DatasetsApi
{
    public static RouteGroupBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/datasets").WithTags("Datasets").RequireAuthorization(Policies.Read);
        foreach (var layout in DatasetLayout.All)
            group.MapPost($"/{layout.Kind}", (HttpRequest request, string? name, string? model, bool? skipBadLines, string? from, DatasetImport import, CancellationToken ct) =>
                    UploadAsync(layout, request, name, model, skipBadLines, from, import, ct))
                .RequireAuthorization(Policies.Launch)
                .WithName($"Upload{char.ToUpperInvariant(layout.Kind[0])}{layout.Kind[1..]}Dataset").DisableAntiforgery()
                .WithMetadata(new TextInputGuard.FileBody())
                .WithSummary($"Import a {layout.Title} dataset (fields {layout.FieldNames}; input optional); body: the file (JSON array or JSON Lines), or multipart with a file" +
                    (SourceFormats.All.Any(f => f.Kind == layout.Kind) ? $"; from: a public benchmark's own file instead ({string.Join(", ", SourceFormats.All.Where(f => f.Kind == layout.Kind).Select(f => f.Name))})" : ""));
        foreach (var layout in DatasetLayout.All)
            group.MapPost($"/{layout.Kind}/validate", (HttpRequest request, string? model, string? from, DatasetImport import, CancellationToken ct) =>
                    ValidateAsync(layout, request, model, from, import, ct))
                .WithName($"Validate{char.ToUpperInvariant(layout.Kind[0])}{layout.Kind[1..]}Dataset").DisableAntiforgery()
                .WithMetadata(new TextInputGuard.FileBody())
                .WithSummary($"Check a {layout.Title} file without storing it: every bad line by field, and the statistics of the good ones");
        group.MapGet("/formats", () => TypedResults.Ok(SourceFormats.All.Select(f => new SourceFormatInfo(f.Name, f.Kind, f.Title, f.Description)).ToList()))
            .WithName("ListSourceFormats").WithSummary("The public benchmark files an upload can convert (its from parameter), with the kind each becomes");
        group.MapGet("/", async Task<Results<Ok<IReadOnlyList<DatasetRepository.DatasetInfo>>, ValidationProblem>> (
                int? offset, int? limit, bool? archived, HttpResponse response, DatasetRepository datasets, CancellationToken ct) =>
            {
                if (offset < 0 || limit is < 1 or > 1000)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["offset ≥ 0 and 1 ≤ limit ≤ 1000"] });
                response.Headers["X-Total-Count"] = (await datasets.CountAsync(ct, archived ?? false)).ToString();
                return TypedResults.Ok(await datasets.ListAsync(ct, offset ?? 0, limit ?? 200, archived ?? false));
            })
            .WithName("ListDatasets").WithSummary("Datasets, newest first: a page of limit (default 200) from offset; X-Total-Count says how many there are");
        group.MapPatch("/{id:guid}", async Task<Results<Ok<DatasetRepository.DatasetInfo>, NotFound, ValidationProblem>> (
                Guid id, HttpRequest request, ClaimsPrincipal user, DatasetRepository datasets, CancellationToken ct) =>
            {
                var (body, field, error) = await JsonBody.ReadAsync(request, ct);
                if (error is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] }, title: "The request body is not valid JSON");
                if (ArchiveChange.Read(body) is not { } archive) return TypedResults.ValidationProblem(ArchiveChange.Problem("dataset"));
                if (!await datasets.SetArchivedAsync(id, archive, user.UserId(), ct)) return TypedResults.NotFound();
                return TypedResults.Ok((await datasets.GetAsync(id, ct))!);
            })
            .RequireAuthorization(Policies.Launch).WithName("ChangeDataset")
            .WithSummary("Archive a dataset ({\"archived\": true}: out of the lists and the wizard, kept whole for the runs that name it) or restore it");
        group.MapGet("/{id:guid}", async Task<Results<Ok<DatasetRepository.DatasetInfo>, NotFound>> (Guid id, DatasetRepository datasets, CancellationToken ct) =>
            await datasets.GetAsync(id, ct) is { } info ? TypedResults.Ok(info) : TypedResults.NotFound()).WithName("GetDataset");
        group.MapGet("/{id:guid}/examples", async Task<Results<Ok<IReadOnlyList<IReadOnlyDictionary<string, object>>>, NotFound, ValidationProblem>> (
            Guid id, int? offset, int? limit, DatasetRepository datasets, CancellationToken ct) =>
        {
            if (offset < 0 || limit is < 1 or > 500)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["offset ≥ 0 and 1 ≤ limit ≤ 500"] });
            if (await datasets.GetAsync(id, ct) is not { } info) return TypedResults.NotFound();
            var layout = DatasetLayout.For(info.Kind);
            return TypedResults.Ok<IReadOnlyList<IReadOnlyDictionary<string, object>>>(
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

    public sealed record SourceFormatInfo(string Name, string Kind, string Title, string Description);

    public sealed record UploadResult(DatasetRepository.DatasetInfo Dataset, int SkippedLines, IReadOnlyList<string> Problems);

    /// <summary>A file checked, not stored: <see cref="Valid"/> when an upload would store it as it is.</summary>
    public sealed record ValidationReport(bool Valid, int Examples, int BadLines, IReadOnlyList<string> Problems,
        IReadOnlyDictionary<string, string[]> Errors, object? Stats);

    private static async Task<Results<Ok<ValidationReport>, ValidationProblem, ProblemHttpResult>> ValidateAsync(DatasetLayout layout,
        HttpRequest request, string? model, string? from, DatasetImport import, CancellationToken cancellationToken)
    {
        var content = await ReadFileAsync(request, import.MaxBytes, cancellationToken);
        if (content.TooLarge) return FieldProblems.TooLarge(new Dictionary<string, string[]> { ["file"] = [content.Error!] }, "The file is too large");
        var outcome = await import.ImportAsync(layout, content.Bytes, null, model, skipBadLines: true, cancellationToken, store: false, from);
        if (outcome.OverLimit) return FieldProblems.TooLarge(outcome.Errors, outcome.Title ?? "The file is too large");
        // A field that is not the file's (the model) is the request's fault, not the file's.
        if (outcome.Errors.ContainsKey("model") || outcome.Errors.ContainsKey("from") || content.Error is not null)
            return TypedResults.ValidationProblem(content.Error is null ? outcome.Errors.ToDictionary() : new Dictionary<string, string[]>(outcome.Errors) { ["file"] = [content.Error] });
        return TypedResults.Ok(new ValidationReport(outcome.BadLines == 0 && outcome.Examples > 0, outcome.Examples, outcome.BadLines,
            outcome.Problems, outcome.Errors, outcome.Stats));
    }

    private static async Task<Results<Created<UploadResult>, ValidationProblem, ProblemHttpResult>> UploadAsync(DatasetLayout layout,
        HttpRequest request, string? name, string? model, bool? skipBadLines, string? from, DatasetImport import, CancellationToken cancellationToken)
    {
        var content = await ReadFileAsync(request, import.MaxBytes, cancellationToken);
        if (content.Error is not null)
        {
            // Report the other fields' problems with the file's.
            var errors = import.CheckFields(name, model).Errors;
            errors["file"] = [content.Error];
            return content.TooLarge ? FieldProblems.TooLarge(errors, "The upload is too large; nothing was stored") : TypedResults.ValidationProblem(errors);
        }
        var outcome = await import.ImportAsync(layout, content.Bytes, name, model, skipBadLines == true, cancellationToken, from: from);
        if (outcome.OverLimit) return FieldProblems.TooLarge(outcome.Errors, outcome.Title ?? "The upload is too large; nothing was stored");
        if (outcome.Dataset is not { } dataset) return TypedResults.ValidationProblem(outcome.Errors, title: outcome.Title);
        return TypedResults.Created($"/api/datasets/{dataset.Id}", new UploadResult(dataset, outcome.SkippedLines, outcome.Problems));
    }


    /// <summary>The uploaded file, read up to <paramref name="maxBytes"/>: the raw body, or the one file of a multipart form.</summary>
    private static async Task<(byte[]? Bytes, string? Error, bool TooLarge)> ReadFileAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var tooLarge = (default(byte[]), DatasetImport.TooLarge(maxBytes), true);
        if (request.ContentLength > maxBytes + MultipartAllowance) return tooLarge;
        // Kestrel's own cap (30 MB by default) gives way to the configured limit, plus room for a form's framing.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } cap)
            cap.MaxRequestBodySize = maxBytes + MultipartAllowance;
        try
        {
            Stream source;
            // Only a multipart form holds a file; any other body is the file itself, whatever its content type says
            // (curl --data-binary sends application/x-www-form-urlencoded unless told otherwise).
            if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
            {
                request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request,
                    new FormOptions { MultipartBodyLengthLimit = maxBytes + MultipartAllowance, BufferBodyLengthLimit = maxBytes + MultipartAllowance }));
                var form = await request.ReadFormAsync(cancellationToken);
                if (form.Files.Count != 1) return (null, "send exactly one file", false);
                if (form.Files[0].Length > maxBytes) return tooLarge;
                source = form.Files[0].OpenReadStream();
            }
            else source = request.Body;
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes) return tooLarge;
            }
            return buffer.Length == 0 ? (null, "empty", false) : (buffer.ToArray(), null, false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return tooLarge; }
        // The multipart reader's body-length limit; its other complaints (no boundary, headers too long) are the form's.
        catch (InvalidDataException e) when (e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase)) { return tooLarge; }
        catch (InvalidDataException e) { return (null, $"not a valid multipart form: {e.Message}", false); }
    }

    private const long MultipartAllowance = 64 << 10;
}
