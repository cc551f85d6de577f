using System.Security.Claims;
using System.Text.Json;
using AlignLab.Core.Construction;
using AlignLab.Data.Construction;
using AlignLab.Web.Constructions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/constructions/{runId}: an SPA construction's progress and reward histograms (with a preview of
/// other η thresholds), its instances, the annotators' revisions, and making the dataset.</summary>
public static class ConstructionsApi
{
    public static RouteGroupBuilder MapConstructionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/constructions/{runId:guid}").WithTags("SPA construction").RequireAuthorization(Policies.Read);
        group.MapGet("/", GetSummary).WithName("GetConstruction")
            .WithSummary("Counts by status and histograms of R(X,Ŷ), R(X,Y) and their difference; eta1/eta2/eta3 preview how many other thresholds keep");
        group.MapGet("/items", ListItems).WithName("ListConstructionItems");
        group.MapPost("/items/{index:int}/annotation", Annotate).RequireAuthorization(Policies.Annotate).WithName("AnnotateConstructionItem")
            .WithSummary("An annotator's minimal revision of Ŷ ({\"revised\": \"…\"}) or a skip ({\"skip\": true})")
            .Accepts<AnnotationRequest>("application/json");
        group.MapPost("/finalize", MakeDataset).RequireAuthorization(Policies.Launch).WithName("FinalizeConstruction")
            .WithSummary("Make the SPA dataset from the instances revised so far; instances still waiting are skipped");
        return group;
    }

    public sealed record AnnotationRequest(string? Revised, bool? Skip, string? Annotator);

    private static async Task<Results<Ok<ConstructionService.Summary>, NotFound, ValidationProblem>> GetSummary(
        Guid runId, double? eta1, double? eta2, double? eta3, int? bins, ConstructionService service, CancellationToken cancellationToken)
    {
        if (bins is < 1 or > 200)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["bins"] = ["must be between 1 and 200"] });
        return await service.SummaryAsync(runId, eta1, eta2, eta3, bins ?? 20, cancellationToken) is { } summary
            ? TypedResults.Ok(summary)
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<IReadOnlyList<ConstructionItem>>, NotFound, ValidationProblem>> ListItems(
        Guid runId, string? status, int? offset, int? limit, ConstructionService service, ConstructionRepository constructions, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !ConstructionStatus.All.Contains(status)) errors["status"] = [$"must be one of {string.Join(", ", ConstructionStatus.All)}"];
        if (offset < 0) errors["offset"] = ["must be 0 or more"];
        if (limit is < 1 or > 500) errors["limit"] = ["must be between 1 and 500"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await constructions.GetAsync(runId, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await service.ItemsAsync(runId, status, offset ?? 0, limit ?? 50, cancellationToken));
    }

    private static async Task<Results<Ok<ConstructionService.AnnotationResult>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> Annotate(
        Guid runId, int index, HttpRequest request, ClaimsPrincipal user, ConstructionService service, CancellationToken cancellationToken)
    {
        var (body, field, error) = await JsonBody.ReadAsync(request, cancellationToken);
        if (error is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] }, title: "The request body is not valid JSON");
        AnnotationRequest? annotation;
        try { annotation = body?.Deserialize<AnnotationRequest>(new JsonSerializerOptions(JsonSerializerDefaults.Web)); }
        catch (JsonException e) { return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = [e.Message.Split(" Path:")[0]] }); }
        var skip = annotation?.Skip == true;
        if (!skip && string.IsNullOrWhiteSpace(annotation?.Revised))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["revised"] = ["required (or \"skip\": true)"] });
        if (skip && annotation?.Revised is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["skip"] = ["give either revised or skip, not both"] });
        // Who answered is the signed-in account (or the key's owner), never what the body claims.
        var annotator = user.Identity?.Name ?? "";
        if (annotation?.Annotator is { } claimed && claimed.Trim() != annotator)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["annotator"] = [$"the annotator is the signed-in account ({annotator}); leave the field out"],
            });
        var result = await service.AnnotateAsync(runId, index, skip ? null : annotation!.Revised!.Trim(), annotator, cancellationToken);
        return result.Outcome switch
        {
            ConstructionRepository.AnnotationOutcome.NoSuchItem => TypedResults.NotFound(),
            ConstructionRepository.AnnotationOutcome.NotAwaiting => TypedResults.Conflict(new ProblemDetails
            {
                Title = "This instance is not waiting for an annotation", Status = 409,
                Detail = $"instance {index} of construction {runId} was already revised, skipped, filtered out or is not an annotator construction",
            }),
            _ => TypedResults.Ok(result),
        };
    }

    private static async Task<Results<Ok<FinalizeResult>, NotFound, Conflict<ProblemDetails>, ValidationProblem>> MakeDataset(
        Guid runId, ConstructionService service, ConstructionRepository constructions, CancellationToken cancellationToken)
    {
        if (await constructions.GetAsync(runId, cancellationToken) is null) return TypedResults.NotFound();
        Guid? datasetId;
        try { datasetId = await service.FinalizeAsync(runId, cancellationToken); }
        catch (ArgumentException e) { return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["model"] = [e.Message] }); }
        return datasetId is { } id
            ? TypedResults.Ok(new FinalizeResult(id))
            : TypedResults.Conflict(new ProblemDetails { Title = "No instance is revised yet", Status = 409, Detail = "revise or annotate at least one instance first" });
    }

    public sealed record FinalizeResult(Guid DatasetId);
}
