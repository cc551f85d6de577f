using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Evaluation;
using AlignLab.Core.Metrics;
using AlignLab.Core.Ppo;
using AlignLab.Core.Runs;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Launching;
using AlignLab.Web.Auth;
using AlignLab.Web.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        group.MapGet("/{id:guid}/rollouts", GetRollouts).WithName("GetRunRollouts")
            .WithSummary("A PPO or R³ run's stored rollouts at one step (the last by default) with every token's logprob, ref_logprob, kl, value, " +
                         "token_score, reward and advantage; filter by score range or reward-hacking flag, sort by score; steps lists the stored steps");
        group.MapGet("/{id:guid}/evaluation", GetEvaluation).WithName("GetRunEvaluation")
            .WithSummary("An evaluation run's results, one per (model, set, metric) with its bootstrap 95% interval (once the run has them), and its item records so far");
        group.MapGet("/{id:guid}/evaluation.csv", GetEvaluationCsv).WithName("GetRunEvaluationCsv")
            .WithSummary("An evaluation's leaderboard as CSV: every (model, set, metric) with its interval, and its difference to the baseline model if one is named")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
        group.MapGet("/{id:guid}/metrics", GetMetrics).WithName("GetRunMetrics")
            .WithSummary("Metric points by step; afterStep returns only later steps");
        return group;
    }

    private static async Task<Results<Created<RunDto>, ValidationProblem, ProblemHttpResult>> CreateRun(
        HttpRequest request, RunCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, field, error) = await JsonBody.ReadAsync(request, cancellationToken);
        if (error is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] },
                title: "The request body is not valid JSON");
        var result = await commands.LaunchAsync(body, user, cancellationToken);
        if (result.OverLimit) return FieldProblems.TooManyRuns(result.Errors);
        if (result.Run is null)
            return TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The run spec is invalid");
        return TypedResults.Created($"/api/runs/{result.Run.Id}", RunDto.From(result.Run));
    }

    private static async Task<Results<Created<RunDto>, NotFound, Conflict<ProblemDetails>, ValidationProblem, ProblemHttpResult>> RetryRun(
        Guid id, RunCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var retried = await commands.RetryAsync(id, user, cancellationToken);
        switch (retried.Status)
        {
            case RunCommandStatus.NotFound: return TypedResults.NotFound();
            case RunCommandStatus.Forbidden: return Refused(retried);
            case RunCommandStatus.Conflict:
                return TypedResults.Conflict(new ProblemDetails { Title = retried.Title, Detail = retried.Detail, Status = 409 });
        }
        var result = retried.Launch!;
        if (result.OverLimit) return FieldProblems.TooManyRuns(result.Errors);
        if (result.Run is null)
            return TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The run's spec is no longer valid for its method");
        return TypedResults.Created($"/api/runs/{result.Run.Id}", RunDto.From(result.Run));
    }

    private static async Task<Results<Ok<RunDto>, NotFound, ValidationProblem, ProblemHttpResult>> ChangeRun(
        Guid id, HttpRequest request, RunCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, field, error) = await JsonBody.ReadAsync(request, cancellationToken);
        if (error is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [error] }, title: "The request body is not valid JSON");
        if (ArchiveChange.Read(body) is not { } archive) return TypedResults.ValidationProblem(ArchiveChange.Problem("run"));
        var changed = await commands.SetArchivedAsync(id, archive, user, cancellationToken);
        return changed.Status switch
        {
            RunCommandStatus.NotFound => TypedResults.NotFound(),
            RunCommandStatus.Done => TypedResults.Ok(RunDto.From(changed.Run!)),
            _ => Refused(changed),
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

    private static async Task<Results<Ok<IReadOnlyList<GenerationSample>>, NotFound, ValidationProblem>> GetSamples(
        Guid id, long? afterStep, int? limit, RunRepository runs, RunSamples samples, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["between 1 and 1000"] });
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(samples.Read(id, afterStep, limit ?? 100));
    }

    private static async Task<Results<Ok<RunRollouts.Page>, NotFound, ValidationProblem>> GetRollouts(Guid id, long? step, int? limit, string? sort,
        double? minScore, double? maxScore, string? flag, RunRepository runs, RunRollouts rollouts, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        var query = new RunRollouts.Query(step, limit ?? 50, sort ?? "index", minScore, maxScore, flag);
        if (RunRollouts.Check(query) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var (page, error) = rollouts.Read(id, query);
        return page is null ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["step"] = [error!] }) : TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<EvaluationArtifacts.Evaluation>, NotFound>> GetEvaluation(
        Guid id, RunRepository runs, RunEvaluation evaluation, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await evaluation.ReadAsync(id, cancellationToken));
    }

    private static async Task<Results<FileContentHttpResult, NotFound, ValidationProblem>> GetEvaluationCsv(
        Guid id, string? baseline, RunRepository runs, RunEvaluation evaluation, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return TypedResults.NotFound();
        var board = new Leaderboard(await evaluation.ReadResultsAsync(id, cancellationToken), RunEvaluation.ModelsOf(run.Spec, id));
        if (baseline is { Length: > 0 } && !board.Models.Contains(baseline))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["baseline"] = [$"must be one of the evaluated models: {string.Join(", ", board.Models)}"] });
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(board.Csv(baseline is { Length: > 0 } ? baseline : null)), "text/csv; charset=utf-8",
            $"alignlab-evaluation-{id}.csv");
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
        Guid id, RunCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var cancelled = await commands.CancelAsync(id, user, cancellationToken);
        return cancelled.Status switch
        {
            RunCommandStatus.NotFound => TypedResults.NotFound(),
            RunCommandStatus.Done => TypedResults.Accepted($"/api/runs/{id}", RunDto.From(cancelled.Run!)),
            _ => Refused(cancelled),
        };
    }

    /// <summary>A refused or conflicting command as problem+json: 403 for who may not, 409 for a run in the wrong state.</summary>
    private static ProblemHttpResult Refused(RunCommandResult result) => TypedResults.Problem(title: result.Title, detail: result.Detail,
        statusCode: result.Status == RunCommandStatus.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<IReadOnlyList<MetricPoint>>, NotFound>> GetMetrics(
        Guid id, long? afterStep, string? name, RunRepository runs, MetricRepository metrics, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await metrics.ListAsync(id, afterStep, name, cancellationToken));
    }
}
