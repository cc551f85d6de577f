using AlignLab.Data.Runs;
using AlignLab.Jobs.Execution;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/runs/{id}/artifacts: the files a run wrote (samples.jsonl, token_rewards.jsonl, token_weights.jsonl,
/// the exported model, checkpoints), listed and downloaded. Paths are relative to the run's folder; nothing outside
/// it is ever served.</summary>
public static class ArtifactsApi
{
    public sealed record ArtifactFile(string Path, long Bytes, DateTimeOffset ModifiedAt);

    private static readonly FileExtensionContentTypeProvider ContentTypes = new() { Mappings = { [".jsonl"] = "application/jsonl" } };

    public static RouteGroupBuilder MapArtifactsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs/{id:guid}/artifacts").WithTags("Runs").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListRunArtifacts").WithSummary("The files of a run's artifact folder");
        group.MapGet("/{*path}", DownloadAsync).WithName("GetRunArtifact").WithSummary("One file of a run's artifact folder")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream");
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<ArtifactFile>>, NotFound>> ListAsync(Guid id, RunRepository runs, RunArtifacts artifacts,
        CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok<IReadOnlyList<ArtifactFile>>([.. artifacts.Files(id).Select(f => new ArtifactFile(f.Path, f.Bytes, f.ModifiedAt))]);
    }

    private static async Task<Results<PhysicalFileHttpResult, NotFound, ValidationProblem>> DownloadAsync(Guid id, string path, RunRepository runs,
        RunArtifacts artifacts, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        // Decoded once more: an escaped separator ("..%2F") must not slip a parent reference past the check.
        var (found, file) = artifacts.Find(id, Uri.UnescapeDataString(path));
        if (found == RunArtifacts.Lookup.Outside)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["path"] = ["must name a file inside the run's artifact folder, not through a link"] });
        if (file is null) return TypedResults.NotFound();
        if (!ContentTypes.TryGetContentType(file, out var contentType)) contentType = "application/octet-stream";
        return TypedResults.PhysicalFile(file, contentType, enableRangeProcessing: true);
    }
}
