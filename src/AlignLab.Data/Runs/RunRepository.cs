using System.Data;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Runs;
using AlignLab.Data.Notifications;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Runs;

/// <summary>The runs table: creation, queries, lifecycle transitions. Every status change records a
/// run_events row and notifies <see cref="Channels.Runs"/> in the same transaction.</summary>
public sealed class RunRepository(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, name, method, queue, spec::text AS spec, status, step, total_steps, error, cancel_requested, job_id, created_at, started_at, finished_at, " +
        "created_by, (SELECT u.name FROM users u WHERE u.id = runs.created_by) AS created_by_name, " +
        "cancelled_by, (SELECT u.name FROM users u WHERE u.id = runs.cancelled_by) AS cancelled_by_name, retry_of, archived_at";

    /// <summary>Inserts a Queued run on a connection the caller holds (inside its transaction); <paramref name="sweep"/>:
    /// the sweep it belongs to and its point's index there;
    /// <paramref name="retryOf"/>: the run this one retries.</summary>
    public async Task InsertAsync(NpgsqlConnection connection, Guid id, RunSpec spec, Guid? createdBy = null, (Guid Id, int Index)? sweep = null,
        Guid? retryOf = null)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO runs (id, name, method, queue, spec, status, created_by, sweep_id, sweep_index, retry_of)
            VALUES (@id, @name, @method, @queue, @spec::jsonb, 'Queued', @createdBy, @sweepId, @sweepIndex, @retryOf);
            INSERT INTO run_events (run_id, status, message, actor)
            VALUES (@id, 'Queued', CASE WHEN @retryOf::uuid IS NULL THEN NULL ELSE 'retry of ' || @retryOf::text END, @createdBy);
            """,
            new { id, name = spec.Name, method = spec.Method, queue = spec.Queue, spec = SerializeSpec(spec), createdBy, sweepId = sweep?.Id, sweepIndex = sweep?.Index, retryOf });
    }

    /// <summary>The runs of a sweep, in the order they were launched.</summary>
    public async Task<IReadOnlyList<Run>> ListBySweepAsync(Guid sweepId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runs WHERE sweep_id = @sweepId ORDER BY sweep_index", new { sweepId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRun()).ToList();
    }

    /// <summary>Inside the caller's transaction: takes the user's launch lock (held to the end of the transaction)
    /// and counts their Queued and Running runs.</summary>
    public async Task<long> LockAndCountActiveAsync(NpgsqlConnection connection, Guid userId)
    {
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = $"launch:{userId}" });
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM runs WHERE created_by = @userId AND status IN ('Queued', 'Running')", new { userId });
    }

    public Task SetJobIdAsync(NpgsqlConnection connection, Guid id, string jobId) =>
        connection.ExecuteAsync("UPDATE runs SET job_id = @jobId WHERE id = @id", new { id, jobId });

    public async Task<Run?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            new CommandDefinition($"SELECT {Columns} FROM runs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    /// <summary>Runs that are Running, or whose row changed within the last <paramref name="window"/> by the
    /// database's clock (a caller measuring the window on its own clock needs no clock agreement).</summary>
    public async Task<IReadOnlyList<Run>> ActiveWithinAsync(TimeSpan window, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runs WHERE status = 'Running' OR updated_at >= now() - @window",
            new { window }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRun()).ToList();
    }

    /// <summary>The names of those of <paramref name="ids"/> that exist, in one query.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return new Dictionary<Guid, string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(
            "SELECT id, name FROM runs WHERE id = ANY(@ids)", new { ids = ids.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    public async Task<string?> GetJobIdAsync(Guid id)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("SELECT job_id FROM runs WHERE id = @id", new { id });
    }

    public async Task<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        const string where = "WHERE (@status::text IS NULL OR status = @status) AND (@method::text IS NULL OR method = @method) " +
                             "AND (archived_at IS NOT NULL) = @archived";
        var args = new
        {
            status = query.Status?.ToString(),
            method = query.Method,
            archived = query.Archived,
            limit = query.PageSize,
            offset = (long)query.Page * query.PageSize,
        };
        var total = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition($"SELECT count(*) FROM runs {where}", args, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runs {where} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset", args,
            cancellationToken: cancellationToken));
        return new RunPage(rows.Select(r => r.ToRun()).ToList(), total, query.Page, query.PageSize);
    }

    public async Task<IReadOnlyList<RunEvent>> EventsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, string? Message, DateTime At, string? Actor)>(new CommandDefinition(
            "SELECT e.status, e.message, e.at, u.name FROM run_events e LEFT JOIN users u ON u.id = e.actor WHERE e.run_id = @id ORDER BY e.id",
            new { id }, cancellationToken: cancellationToken));
        return rows.Select(r => new RunEvent(Enum.Parse<RunStatus>(r.Status), r.Message, new DateTimeOffset(r.At, TimeSpan.Zero), r.Actor)).ToList();
    }

    /// <summary>Moves a Queued run — or a Running one whose previous attempt died — to Running.
    /// Returns null when the run is terminal or its cancellation was requested.</summary>
    public async Task<Run?> TryStartAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"""
            UPDATE runs SET status = 'Running', started_at = coalesce(started_at, now()), attempts = attempts + 1, updated_at = now()
            WHERE id = @id AND status IN ('Queued', 'Running') AND NOT cancel_requested
            RETURNING {Columns}
            """, new { id }, transaction, cancellationToken: cancellationToken));
        if (row is null) return null;
        var run = row.ToRun();
        await RecordAsync(connection, transaction, run, "attempt started");
        await transaction.CommitAsync(cancellationToken);
        return run;
    }

    /// <summary>Ends a run that is not yet terminal. Returns false if it already was.</summary>
    public async Task<bool> CompleteAsync(Guid id, RunStatus status, string? error, CancellationToken cancellationToken = default)
    {
        if (!status.IsTerminal()) throw new ArgumentException($"{status} is not a terminal status", nameof(status));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"""
            UPDATE runs SET status = @status, error = @error, finished_at = now(), updated_at = now()
            WHERE id = @id AND status IN ('Queued', 'Running')
            RETURNING {Columns}
            """, new { id, status = status.ToString(), error }, transaction, cancellationToken: cancellationToken));
        if (row is null) return false;
        await RecordAsync(connection, transaction, row.ToRun(), error);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Cancels a Queued run at once; asks a Running one to stop (its job notices through
    /// <see cref="Channels.Cancel"/> and ends it as Cancelled). <paramref name="by"/>: the account that asked (recorded on the
    /// run and in its history); whether it may is the caller's decision (<c>RunPermissions</c>).</summary>
    public async Task<CancelOutcome> RequestCancelAsync(Guid id, Guid? by, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM runs WHERE id = @id FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        if (status is null) return CancelOutcome.NotFound;
        var current = Enum.Parse<RunStatus>(status);
        if (current.IsTerminal()) return CancelOutcome.AlreadyFinished;

        var row = await connection.QuerySingleAsync<RunRow>(new CommandDefinition(
            current == RunStatus.Queued
                ? $"UPDATE runs SET status = 'Cancelled', cancel_requested = true, cancelled_by = @by, finished_at = now(), updated_at = now() WHERE id = @id RETURNING {Columns}"
                : $"UPDATE runs SET cancel_requested = true, cancelled_by = @by, updated_at = now() WHERE id = @id RETURNING {Columns}",
            new { id, by }, transaction, cancellationToken: cancellationToken));
        if (current == RunStatus.Queued)
            await RecordAsync(connection, transaction, row.ToRun(), "cancelled before it started", by);
        else
        {
            await RecordAsync(connection, transaction, row.ToRun(), "cancellation requested", by);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @payload)",
                new { channel = Channels.Cancel, payload = id.ToString() }, transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return current == RunStatus.Queued ? CancelOutcome.Cancelled : CancelOutcome.Requested;
    }

    /// <summary>Archives (or restores) a finished run, recording who did: it leaves the lists, and keeps its metrics,
    /// history, artifacts and export. A run still queued or running is not archived (cancel it first).</summary>
    public async Task<ArchiveOutcome> SetArchivedAsync(Guid id, bool archived, Guid? by, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM runs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        if (status is null) return ArchiveOutcome.NotFound;
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE runs SET archived_at = CASE WHEN @archived THEN coalesce(archived_at, now()) END,
                            archived_by = CASE WHEN @archived THEN @by END, updated_at = now()
            WHERE id = @id AND status NOT IN ('Queued', 'Running')
            """, new { id, archived, by }, cancellationToken: cancellationToken));
        return updated == 1 ? ArchiveOutcome.Done : ArchiveOutcome.NotFinished;
    }

    public async Task<bool> IsCancelRequestedAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((SELECT cancel_requested FROM runs WHERE id = @id), false)", new { id }, cancellationToken: cancellationToken));
    }

    private static async Task RecordAsync(NpgsqlConnection connection, IDbTransaction transaction, Run run, string? message, Guid? actor = null)
    {
        await connection.ExecuteAsync(
            "INSERT INTO run_events (run_id, status, message, actor) VALUES (@id, @status, @message, @actor); SELECT pg_notify(@channel, @payload);",
            new
            {
                id = run.Id,
                status = run.Status.ToString(),
                message,
                actor,
                channel = Channels.Runs,
                payload = new RunNotification(run.Id, run.Status, run.Step, run.TotalSteps, run.Error).ToPayload(),
            }, transaction);
    }

    internal static string SerializeSpec(RunSpec spec) => new JsonObject
    {
        ["method"] = spec.Method,
        ["name"] = spec.Name,
        ["queue"] = spec.Queue,
        ["parameters"] = new JsonObject(spec.Parameters.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
        ["preset"] = spec.Preset,
        ["changed"] = spec.Changed is null ? null : new JsonArray([.. spec.Changed.Select(c => (JsonNode?)c)]),
        ["memory"] = spec.Memory is null ? null : System.Text.Json.JsonSerializer.SerializeToNode(spec.Memory),
    }.ToJsonString();

    internal static RunSpec DeserializeSpec(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var parameters = node["parameters"]!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal);
        // Runs stored before presets existed have neither "preset" nor "changed", before memory estimates no "memory".
        return new RunSpec(node["method"]!.GetValue<string>(), node["name"]!.GetValue<string>(),
            node["queue"]!.GetValue<string>(), parameters, node["preset"]?.GetValue<string>(),
            node["changed"] is JsonArray changed ? [.. changed.Select(c => c!.GetValue<string>())] : null,
            node["memory"] is JsonObject memory ? memory.Deserialize<Core.Memory.MemoryEstimate>() : null);
    }

    private sealed class RunRow
    {
        public Guid Id { get; init; }
        public string Spec { get; init; } = "";
        public string Status { get; init; } = "";
        public long Step { get; init; }
        public long Total_Steps { get; init; }
        public string? Error { get; init; }
        public bool Cancel_Requested { get; init; }
        public DateTime Created_At { get; init; }
        public DateTime? Started_At { get; init; }
        public DateTime? Finished_At { get; init; }
        public Guid? Created_By { get; init; }
        public string? Created_By_Name { get; init; }
        public Guid? Cancelled_By { get; init; }
        public string? Cancelled_By_Name { get; init; }
        public Guid? Retry_Of { get; init; }
        public DateTime? Archived_At { get; init; }

        public Run ToRun() => new(Id, DeserializeSpec(Spec), Enum.Parse<RunStatus>(Status), Step, Total_Steps, Error,
            Utc(Created_At), Started_At is { } s ? Utc(s) : null, Finished_At is { } f ? Utc(f) : null, Cancel_Requested,
            new RunActors(Created_By, Created_By_Name, Cancelled_By, Cancelled_By_Name, Retry_Of))
        {
            ArchivedAt = Archived_At is { } a ? Utc(a) : null,
        };

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }
}

public enum CancelOutcome { NotFound, AlreadyFinished, Cancelled, Requested }

public enum ArchiveOutcome { NotFound, NotFinished, Done }

/// <param name="Archived">The archived runs instead of the others.</param>
public sealed record RunQuery(RunStatus? Status = null, string? Method = null, int Page = 0, int PageSize = 25, bool Archived = false);

public sealed record RunPage(IReadOnlyList<Run> Items, long Total, int Page, int PageSize);

/// <param name="Actor">The account whose action this was (a launch, a retry, a cancellation); none for the job's own steps.</param>
public sealed record RunEvent(RunStatus Status, string? Message, DateTimeOffset At, string? Actor = null);
