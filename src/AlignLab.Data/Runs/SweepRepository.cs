using System.Text.Json;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Runs;

/// <summary>The sweeps table: a grid and the runs launched for it (runs.sweep_id).</summary>
public sealed class SweepRepository(NpgsqlDataSource dataSource)
{
    public sealed record SweepInfo(Guid Id, string Name, string Method, JsonElement Grid, DateTimeOffset CreatedAt, int RunCount);

    /// <summary>Inserts a sweep on a connection the caller holds (inside its transaction).</summary>
    public Task InsertAsync(NpgsqlConnection connection, Guid id, string name, string method, string gridJson, Guid? createdBy) =>
        connection.ExecuteAsync(
            "INSERT INTO sweeps (id, name, method, grid, created_by) VALUES (@id, @name, @method, @grid::jsonb, @createdBy)",
            new { id, name, method, grid = gridJson, createdBy });

    public async Task<SweepInfo?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await QueryAsync("WHERE s.id = @id", new { id }, cancellationToken)).SingleOrDefault();

    /// <summary>Newest first.</summary>
    public Task<IReadOnlyList<SweepInfo>> ListAsync(int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("ORDER BY s.created_at DESC, s.id LIMIT @limit", new { limit }, cancellationToken);

    private async Task<IReadOnlyList<SweepInfo>> QueryAsync(string tail, object args, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid Id, string Name, string Method, string Grid, DateTime CreatedAt, long Runs)>(new CommandDefinition(
            $"""
            SELECT s.id, s.name, s.method, s.grid::text, s.created_at, (SELECT count(*) FROM runs r WHERE r.sweep_id = s.id)
            FROM sweeps s {tail}
            """, args, cancellationToken: cancellationToken));
        return rows.Select(r => new SweepInfo(r.Id, r.Name, r.Method, JsonDocument.Parse(r.Grid).RootElement.Clone(),
            new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)), (int)r.Runs)).ToList();
    }
}
