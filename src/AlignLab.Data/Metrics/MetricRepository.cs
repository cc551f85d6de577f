using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Data.Notifications;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace AlignLab.Data.Metrics;

/// <summary>The metrics table. Writes come in batches: one round trip inserts the points (a point already
/// stored for its run/name/step is skipped, which makes a retried job harmless), updates the run's progress
/// and NOTIFYs listeners of exactly the points that were new — all in one transaction.</summary>
public sealed class MetricRepository(NpgsqlDataSource dataSource)
{
    public async Task<int> WriteBatchAsync(Guid runId, IReadOnlyList<MetricPoint> points, Progress? progress,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var inserted = new List<MetricPoint>(points.Count);
        if (points.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO metrics (run_id, name, step, value, time)
                SELECT $1, n, s, v, t FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::timestamptz[]) AS p(n, s, v, t)
                ON CONFLICT DO NOTHING
                RETURNING name, step, value, time
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = runId });
            insert.Parameters.Add(new NpgsqlParameter { Value = points.Select(p => p.Name).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = points.Select(p => p.Step).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = points.Select(p => p.Value).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = points.Select(p => p.Time.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                inserted.Add(new MetricPoint(reader.GetInt64(1), reader.GetString(0), reader.GetDouble(2),
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc))));
        }

        inserted.Sort((a, b) => a.Step != b.Step ? a.Step.CompareTo(b.Step) : string.CompareOrdinal(a.Name, b.Name));
        foreach (var payload in MetricsNotification.Payloads(runId, inserted))
            await Notify(connection, transaction, Channels.Metrics, payload, cancellationToken);

        if (progress is { } p)
        {
            var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                """
                UPDATE runs SET step = @step, total_steps = @total, updated_at = now()
                WHERE id = @runId AND status = 'Running' RETURNING status
                """, new { runId, step = p.Step, total = p.TotalSteps }, transaction, cancellationToken: cancellationToken));
            if (status is not null)
                await Notify(connection, transaction, Channels.Runs,
                    new RunNotification(runId, RunStatus.Running, p.Step, p.TotalSteps, null).ToPayload(), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted.Count;
    }

    /// <summary>Every point of a run (optionally after a step, optionally of one metric), by step then name.</summary>
    public async Task<IReadOnlyList<MetricPoint>> ListAsync(Guid runId, long? afterStep = null, string? name = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Name, long Step, double Value, DateTime Time)>(new CommandDefinition(
            """
            SELECT name, step, value, time FROM metrics
            WHERE run_id = @runId AND (@afterStep::bigint IS NULL OR step > @afterStep) AND (@name::text IS NULL OR name = @name)
            ORDER BY step, name
            """, new { runId, afterStep, name }, cancellationToken: cancellationToken));
        return rows.Select(r => new MetricPoint(r.Step, r.Name, r.Value,
            new DateTimeOffset(DateTime.SpecifyKind(r.Time, DateTimeKind.Utc)))).ToList();
    }

    /// <summary>The last stored step of every series of the given runs.</summary>
    public async Task<IReadOnlyList<(Guid RunId, string Name, long Step)>> LastStepsAsync(IReadOnlyCollection<Guid> runIds,
        CancellationToken cancellationToken = default)
    {
        if (runIds.Count == 0) return [];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid RunId, string Name, long Step)>(new CommandDefinition(
            "SELECT run_id, name, max(step) FROM metrics WHERE run_id = ANY(@ids) GROUP BY run_id, name",
            new { ids = runIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    private static async Task Notify(NpgsqlConnection connection, NpgsqlTransaction transaction, string channel, string payload,
        CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection, transaction);
        notify.Parameters.Add(new NpgsqlParameter { Value = channel });
        notify.Parameters.Add(new NpgsqlParameter { Value = payload });
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>How far a run is: <see cref="Step"/> of <see cref="TotalSteps"/>.</summary>
public readonly record struct Progress(long Step, long TotalSteps);
