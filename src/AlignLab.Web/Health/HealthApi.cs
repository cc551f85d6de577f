using Npgsql;

namespace AlignLab.Web.Health;

/// <summary>/healthz: 200 when this node can reach the database, 503 otherwise (used by container health checks).</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return Results.Ok(new { status = "healthy" });
            }
            catch (NpgsqlException e)
            {
                return Results.Problem(title: "database unreachable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().WithTags("Health").ExcludeFromDescription();
        return app;
    }
}
