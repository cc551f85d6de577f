using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Launching;
using AlignLab.Web.Runs;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/runs: create, list, inspect and cancel runs, and read their metrics.</summary>
public static class RunsApi
{
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs").RequireAuthorization(Policies.Read);
        group.MapPost("/", CreateRun).RequireAuthorization(Policies.Launch).WithName("CreateRun").WithSummary("Validate a run spec and queue the run")
            .Accepts<JsonObject>("application/json");
        group.MapGet("/", ListRuns).WithName("ListRuns").WithSummary("Runs, newest first, filtered and paged");
        group.MapGet("/{id:guid}", GetRun).WithName("GetRun");
        group.MapGet("/{id:guid}/events", GetRunEvents).WithName("GetRunEvents").WithSummary("Status history");
        group.MapPost("/{id:guid}/cancel", CancelRun).RequireAuthorization(Policies.Launch).WithName("CancelRun")
            .WithSummary("Cancel a queued run, or ask a running one to stop; its launcher or an admin");
        group.MapPatch("/{id:guid}", ChangeRun).RequireAuthorization(Policies.Launch).WithName("ChangeRun")
            .WithSummary("Archive a finished run ({\"archived\": true}: out of the lists, kept whole) or restore it; its launcher or an admin");
        group.MapPost("/{id:guid}/retry", RetryRun).RequireAuthorization(Policies.Launch).WithName("RetryRun")
            .WithSummary("A new run with a finished (failed, cancelled or succeeded) run's spec, named \"… (retry)\"");
        group.MapGet("/{id:guid}/samples", GetSamples).WithName("GetRunSamples")
            .WithSummary("A PPO run's stored sample generations, newest step first; afterStep returns only later steps");
        group.MapGet("/{id:guid}/metrics", GetMetrics).WithName("GetRunMetrics")
            .WithSummary("Metric points by step; afterStep returns only later steps");
        return group;
    }

    private static async Task<Results<Created<RunDto>, ValidationProblem, ProblemHttpResult>> CreateRun(
        HttpRequest request, RunLauncher launcher, ClaimsPrincipal user, RunOwners owners, CancellationToken cancellationToken)
    {
        var (body, field, error) = await JsonBody.ReadAsync(request, cancellationToken);
        if (error is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] },
                title: "The request body is not valid JSON");
        var result = await launcher.LaunchAsync(body, owners.For(user), cancellationToken);
        if (result.OverLimit) return FieldProblems.TooManyRuns(result.Errors);
        if (result.Run is null)
            return TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The run spec is invalid");
        return TypedResults.Created($"/api/runs/{result.Run.Id}", RunDto.From(result.Run));
    }

    private static async Task<Results<Created<RunDto>, NotFound, Conflict<ProblemDetails>, ValidationProblem, ProblemHttpResult>> RetryRun(
        Guid id, RunRepository runs, RunLauncher launcher, ClaimsPrincipal user, RunOwners owners, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return TypedResults.NotFound();
        if (!run.Status.IsTerminal())
            return TypedResults.Conflict(new ProblemDetails { Title = "The run has not finished", Detail = $"run {id} is {run.Status}; cancel it first, or wait", Status = 409 });
        var result = await launcher.RetryAsync(run, owners.For(user), cancellationToken);
        if (result.OverLimit) return FieldProblems.TooManyRuns(result.Errors);
        if (result.Run is null)
            return TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The run's spec is no longer valid for its method");
        return TypedResults.Created($"/api/runs/{result.Run.Id}", RunDto.From(result.Run));
    }

    private static async Task<Results<Ok<RunDto>, NotFound, ValidationProblem, ProblemHttpResult>> ChangeRun(
        Guid id, HttpRequest request, RunRepository runs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, field, error) = await JsonBody.ReadAsync(request, cancellationToken);
        if (error is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] }, title: "The request body is not valid JSON");
        if (ArchiveChange.Read(body) is not { } archive) return TypedResults.ValidationProblem(ArchiveChange.Problem("run"));
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return TypedResults.NotFound();
        if (!user.MayCancel(run))
            return TypedResults.Problem(title: "You may not archive this run", detail: RunPermissions.Refusal(run, "archive"),
                statusCode: StatusCodes.Status403Forbidden);
        return await runs.SetArchivedAsync(id, archive, user.UserId(), cancellationToken) switch
        {
            ArchiveOutcome.NotFound => TypedResults.NotFound(),
            ArchiveOutcome.NotFinished => TypedResults.Problem(title: "The run has not finished", statusCode: StatusCodes.Status409Conflict,
                detail: $"run {id} is {run.Status}: cancel it first, or wait, then archive it"),
            _ => TypedResults.Ok(RunDto.From((await runs.GetAsync(id, cancellationToken))!)),
        };
    }

    private static async Task<Results<Ok<RunListDto>, ValidationProblem>> ListRuns(
        RunRepository runs, string? status, string? method, int? page, int? pageSize, bool? archived, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        RunStatus? parsedStatus = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<RunStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s)) parsedStatus = s;
            else errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<RunStatus>())}"];
        }
        if (page < 0) errors["page"] = ["must be 0 or more"];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"must be between 1 and {MaxPageSize}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var result = await runs.ListAsync(new RunQuery(parsedStatus, method, page ?? 0, pageSize ?? 25, archived ?? false), cancellationToken);
        return TypedResults.Ok(new RunListDto(result.Items.Select(RunDto.From).ToList(), result.Total, result.Page, result.PageSize));
    }

    private static async Task<Results<Ok<IReadOnlyList<RunSamples.Sample>>, NotFound, ValidationProblem>> GetSamples(
        Guid id, long? afterStep, int? limit, RunRepository runs, RunSamples samples, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["between 1 and 1000"] });
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(samples.Read(id, afterStep, limit ?? 100));
    }

    private static async Task<Results<Ok<RunDto>, NotFound>> GetRun(Guid id, RunRepository runs, CancellationToken cancellationToken) =>
        await runs.GetAsync(id, cancellationToken) is { } run ? TypedResults.Ok(RunDto.From(run)) : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<RunEvent>>, NotFound>> GetRunEvents(
        Guid id, RunRepository runs, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await runs.EventsAsync(id, cancellationToken));
    }

    private static async Task<Results<Accepted<RunDto>, NotFound, ProblemHttpResult>> CancelRun(
        Guid id, RunRepository runs, IBackgroundJobClient jobs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } existing) return TypedResults.NotFound();
        if (!user.MayCancel(existing))
            return TypedResults.Problem(title: "You may not cancel this run", detail: RunPermissions.Refusal(existing, "cancel"),
                statusCode: StatusCodes.Status403Forbidden);
        var outcome = await runs.RequestCancelAsync(id, user.UserId(), cancellationToken);
        switch (outcome)
        {
            case CancelOutcome.NotFound:
                return TypedResults.NotFound();
            case CancelOutcome.AlreadyFinished:
                return TypedResults.Problem(title: "The run has already finished", statusCode: StatusCodes.Status409Conflict);
            case CancelOutcome.Cancelled when await runs.GetJobIdAsync(id) is { } jobId:
                jobs.Delete(jobId);
                break;
        }
        var run = await runs.GetAsync(id, cancellationToken);
        return TypedResults.Accepted($"/api/runs/{id}", RunDto.From(run!));
    }

    private static async Task<Results<Ok<IReadOnlyList<MetricPoint>>, NotFound>> GetMetrics(
        Guid id, long? afterStep, string? name, RunRepository runs, MetricRepository metrics, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await metrics.ListAsync(id, afterStep, name, cancellationToken));
    }
}
