using AlignLab.Web.Comparisons;
using Microsoft.AspNetCore.Http.HttpResults;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/runs/compare: several runs' final metrics side by side, as JSON or CSV.</summary>
public static class CompareApi
{
    public static void MapCompareApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs/compare", CompareAsync).RequireAuthorization(Policies.Read).WithTags("Runs").WithName("CompareRuns")
            .WithSummary("Runs side by side: each metric's last point per run (ids: comma-separated run ids)");
        app.MapGet("/api/runs/compare.csv", CompareCsvAsync).RequireAuthorization(Policies.Read).WithTags("Runs").WithName("CompareRunsCsv")
            .WithSummary("The comparison as CSV: final points, or every point with points=all")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
    }

    private static async Task<Results<Ok<IReadOnlyList<ComparedRun>>, ValidationProblem>> CompareAsync(string? ids, RunComparison comparison,
        CancellationToken cancellationToken)
    {
        var (runs, error) = await comparison.LoadAsync(ids, cancellationToken);
        return runs is null ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [error!] }) : TypedResults.Ok(runs);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> CompareCsvAsync(string? ids, RunComparison comparison,
        CancellationToken cancellationToken, string points = "final")
    {
        if (points is not ("final" or "all"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["points"] = ["must be final or all"] });
        var (runs, error) = await comparison.LoadAsync(ids, cancellationToken);
        if (runs is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [error!] });
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(RunComparison.Csv(runs, points == "all")), "text/csv; charset=utf-8",
            $"alignlab-compare-{points}.csv");
    }
}
