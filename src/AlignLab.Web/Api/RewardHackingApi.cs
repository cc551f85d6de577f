using AlignLab.Data.Runs;
using AlignLab.Web.RewardHacking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/runs/{id}/reward-hacking: how often a PPO run's responses copy the query, repeat themselves or run
/// long, phase by phase over training, with flagged samples.</summary>
public static class RewardHackingApi
{
    public static RouteHandlerBuilder MapRewardHackingApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/runs/{id:guid}/reward-hacking", GetAsync).RequireAuthorization(Policies.Read).WithTags("Runs").WithName("GetRunRewardHacking")
            .WithSummary("A PPO run's reward-hacking report: query copying, 4-gram repetition and lengths over training");

    private static async Task<Results<Ok<RunRewardHackingReport>, NotFound<ProblemDetails>, ValidationProblem>> GetAsync(
        Guid id, RunRepository runs, RunRewardHacking reports, CancellationToken cancellationToken, int phases = 5)
    {
        if (phases is < 1 or > 100)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phases"] = ["must be between 1 and 100"] });
        if (await runs.GetAsync(id, cancellationToken) is null)
            return TypedResults.NotFound(new ProblemDetails { Title = "No such run", Detail = $"run {id} does not exist", Status = 404 });
        return reports.Load(id, phases) is { } report
            ? TypedResults.Ok(report)
            : TypedResults.NotFound(new ProblemDetails { Title = "No rollouts", Detail = $"run {id} has no rollout statistics: only PPO runs write them, from their first step on", Status = 404 });
    }
}
