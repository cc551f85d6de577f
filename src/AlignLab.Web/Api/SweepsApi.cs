using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Launching;
using AlignLab.Web.Auth;
using AlignLab.Web.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/sweeps: one run per point of a grid over some parameters of a run spec, launched together (all or none),
/// found again later with their runs.</summary>
public static class SweepsApi
{
    /// <param name="Run">The run request every point starts from: method, optional name, queue and parameters.</param>
    /// <param name="Grid">Parameter name → the values to try; every combination is one run.</param>
    public sealed record SweepRequest(string? Name, JsonObject? Run, Dictionary<string, JsonNode[]>? Grid);

    public sealed record SweepDto(Guid Id, string Name, string Method, JsonElement Grid, DateTimeOffset CreatedAt, int RunCount);

    public sealed record SweepDetailDto(SweepDto Sweep, IReadOnlyList<RunDto> Runs, IReadOnlyDictionary<string, int> StatusCounts);

    public static void MapSweepsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sweeps").WithTags("Sweeps").RequireAuthorization(Policies.Read);
        group.MapPost("/", CreateAsync).RequireAuthorization(Policies.Launch).WithName("CreateSweep")
            .WithSummary("Validate every point of the grid, then launch one run per point as one sweep, or nothing");
        group.MapGet("/", async (int? limit, SweepRepository sweeps, CancellationToken ct) =>
                TypedResults.Ok((await sweeps.ListAsync(Math.Clamp(limit ?? 50, 1, 200), ct)).Select(From).ToList()))
            .WithName("ListSweeps").WithSummary("Sweeps, newest first");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetSweep").WithSummary("A sweep with its runs and how many are in each status");
    }

    private static SweepDto From(SweepRepository.SweepInfo s) => new(s.Id, s.Name, s.Method, s.Grid, s.CreatedAt, s.RunCount);

    private static async Task<Results<Created<SweepDetailDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(SweepRequest request,
        RunCommands commands, SweepRepository sweeps, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Run is null) errors["run"] = ["required: the run request each point starts from (method, parameters)"];
        if (request.Grid is not { Count: > 0 }) errors["grid"] = ["required: parameter name → values, e.g. {\"learning_rate\": [1e-5, 3e-5]}"];
        else if (request.Grid.FirstOrDefault(a => a.Value is not { Length: > 0 }) is { Key: { } empty }) errors[$"grid.{empty}"] = ["give at least one value"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var grid = new SweepGrid([.. request.Grid!.Select(a => new SweepGrid.Axis(a.Key, a.Value))]);
        var result = await commands.LaunchSweepAsync(request.Name, request.Run!, grid, user, ct);
        if (result.OverLimit) return FieldProblems.TooManyRuns(result.Errors);
        if (result.SweepId is not { } id) return TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The sweep is invalid; nothing was launched");
        var sweep = await sweeps.GetAsync(id, ct);
        return TypedResults.Created($"/api/sweeps/{id}", Detail(From(sweep!), result.Runs));
    }

    private static async Task<Results<Ok<SweepDetailDto>, NotFound>> GetAsync(Guid id, SweepRepository sweeps, RunRepository runs, CancellationToken ct) =>
        await sweeps.GetAsync(id, ct) is { } sweep ? TypedResults.Ok(Detail(From(sweep), await runs.ListBySweepAsync(id, ct))) : TypedResults.NotFound();

    private static SweepDetailDto Detail(SweepDto sweep, IReadOnlyList<Run> runs) => new(sweep, [.. runs.Select(RunDto.From)],
        runs.GroupBy(r => r.Status.ToString()).ToDictionary(g => g.Key, g => g.Count()));
}
