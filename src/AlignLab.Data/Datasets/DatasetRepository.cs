using System.Text.Json;
using AlignLab.Core.Datasets;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace AlignLab.Data.Datasets;

/// <summary>The datasets tables. A dataset and all its examples are written in one transaction (binary COPY for the
/// examples), so a failed import leaves nothing behind.</summary>
public sealed class DatasetRepository(NpgsqlDataSource dataSource) : IDatasetStore
{
    // Examples are stored under the public SPA release's field names; statistics as the API shows them.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly JsonSerializerOptions StatsJson = new(JsonSerializerDefaults.Web);

    /// <param name="SourceRunId">The run that wrote the dataset, for datasets a job made (query-type classification).</param>
    /// <param name="ArchivedAt">When it was archived (hidden from lists and the wizard, kept whole); null when it is not.</param>
    public sealed record DatasetInfo(Guid Id, string Name, string Kind, int ExampleCount, JsonElement Stats, DateTimeOffset CreatedAt, Guid? SourceRunId,
        DateTimeOffset? ArchivedAt = null);

    public async Task<DatasetInfo> CreateAsync(string name, string kind, IReadOnlyList<SpaRecord> records, object stats, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await InsertAsync(connection, transaction, name, kind, records, stats, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>The dataset a run writes, once: if the run already wrote one (a retried job), that one's id.</summary>
    public async Task<Guid> SaveFromRunAsync(Guid runId, string name, string kind, IReadOnlyList<SpaRecord> records, object stats,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("SELECT id FROM datasets WHERE source_run_id = @runId",
                new { runId }, transaction, cancellationToken: cancellationToken)) is { } existing)
            return existing;
        var id = await InsertAsync(connection, transaction, name, kind, records, stats, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE datasets SET source_run_id = @runId WHERE id = @id", new { runId, id }, transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>Writes a dataset inside the caller's transaction (SPA construction commits it with its own rows).</summary>
    public static async Task<Guid> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string kind,
        IReadOnlyList<SpaRecord> records, object stats, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO datasets (id, name, kind, example_count, stats) VALUES (@id, @name, @kind, @count, @stats::jsonb)",
            new { id, name, kind, count = records.Count, stats = JsonSerializer.Serialize(stats, StatsJson) }, transaction, cancellationToken: cancellationToken));
        await using (var copy = await connection.BeginBinaryImportAsync("COPY dataset_examples (dataset_id, index, data) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (int i = 0; i < records.Count; i++)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(JsonSerializer.Serialize(records[i], Json), NpgsqlDbType.Jsonb, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        return id;
    }

    public async Task<DatasetInfo?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Name, string Kind, int ExampleCount, string Stats, DateTime CreatedAt, Guid? SourceRunId, DateTime? ArchivedAt)>(
            new CommandDefinition("SELECT id, name, kind, example_count, stats::text, created_at, source_run_id, archived_at FROM datasets WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row.Id == Guid.Empty ? null : ToInfo(row);
    }

    /// <summary>Newest first; a page of them when <paramref name="limit"/> is given; the archived ones instead of the others
    /// when <paramref name="archived"/>.</summary>
    public async Task<IReadOnlyList<DatasetInfo>> ListAsync(CancellationToken cancellationToken = default, int offset = 0, int? limit = null, bool archived = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid Id, string Name, string Kind, int ExampleCount, string Stats, DateTime CreatedAt, Guid? SourceRunId, DateTime? ArchivedAt)>(
            new CommandDefinition("SELECT id, name, kind, example_count, stats::text, created_at, source_run_id, archived_at FROM datasets " +
                                  "WHERE (archived_at IS NOT NULL) = @archived ORDER BY created_at DESC, id OFFSET @offset LIMIT @limit",
                new { offset, limit, archived }, cancellationToken: cancellationToken));
        return rows.Select(ToInfo).ToList();
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default, bool archived = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM datasets WHERE (archived_at IS NOT NULL) = @archived",
            new { archived }, cancellationToken: cancellationToken));
    }

    /// <summary>Archives (or restores) a dataset, recording who did; false when there is none with that id.</summary>
    public async Task<bool> SetArchivedAsync(Guid id, bool archived, Guid? by, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE datasets SET archived_at = CASE WHEN @archived THEN coalesce(archived_at, now()) END, archived_by = CASE WHEN @archived THEN @by END WHERE id = @id",
            new { id, archived, by }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<IReadOnlyList<SpaRecord>> ExamplesAsync(Guid id, int offset, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT data::text FROM dataset_examples WHERE dataset_id = @id ORDER BY index OFFSET @offset LIMIT @limit",
            new { id, offset, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => JsonSerializer.Deserialize<SpaRecord>(r, Json)!).ToList();
    }

    public async Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var info = await GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"no dataset {id}");
        return new StoredDataset(id, info.Kind, await ExamplesAsync(id, 0, int.MaxValue, cancellationToken));
    }

    private static DatasetInfo ToInfo((Guid Id, string Name, string Kind, int ExampleCount, string Stats, DateTime CreatedAt, Guid? SourceRunId, DateTime? ArchivedAt) row) =>
        new(row.Id, row.Name, row.Kind, row.ExampleCount, JsonDocument.Parse(row.Stats).RootElement.Clone(),
            new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), row.SourceRunId,
            row.ArchivedAt is { } archivedAt ? new DateTimeOffset(DateTime.SpecifyKind(archivedAt, DateTimeKind.Utc)) : null);
}
