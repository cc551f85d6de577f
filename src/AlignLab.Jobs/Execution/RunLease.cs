using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlignLab.Jobs.Execution;

/// <summary>Exclusive right to execute one run, held as a PostgreSQL session advisory lock on a connection
/// kept open for the job's lifetime. If the process dies the connection drops and the lock with it, so a
/// retry elsewhere can proceed; while it lives no second worker can run the same run.
/// A database restart also drops the session and the lock. <see cref="KeepAsync"/> notices, takes the lock
/// again on a new session and, if another worker took it meanwhile, reports the lease lost so that this
/// execution stops and leaves the run to the other.</summary>
public sealed class RunLease : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly long _key;
    private NpgsqlConnection? _connection;

    private RunLease(NpgsqlDataSource dataSource, long key, NpgsqlConnection connection) =>
        (_dataSource, _key, _connection) = (dataSource, key, connection);

    /// <summary>Set once another worker holds the run's lock.</summary>
    public bool Lost { get; private set; }

    public static async Task<RunLease?> TryAcquireAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        var key = LockKey(runId);
        var connection = await TryLockAsync(dataSource, key, cancellationToken);
        return connection is null ? null : new RunLease(dataSource, key, connection);
    }

    /// <summary>Checks the session every <paramref name="interval"/> until <paramref name="cancellationToken"/>
    /// fires; cancels <paramref name="onLost"/> when the lock went to another session.</summary>
    public async Task KeepAsync(TimeSpan interval, CancellationTokenSource onLost, ILogger log, CancellationToken cancellationToken)
    {
        while (!Lost)
        {
            try { await Task.Delay(interval, cancellationToken); }
            catch (OperationCanceledException) { return; }
            if (await IsAliveAsync(cancellationToken)) continue;
            try
            {
                if (_connection is { } dead) await dead.DisposeAsync();
                _connection = null;
                _connection = await TryLockAsync(_dataSource, _key, cancellationToken);
                if (_connection is not null) continue;
                Lost = true;
                log.LogWarning("The lease of this run was taken by another worker while the database was unreachable; this execution stops");
                try { await onLost.CancelAsync(); }
                catch (ObjectDisposedException) { }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogWarning("Renewing the run lease failed ({Message}); retrying", e.Message); }
        }
    }

    private async Task<bool> IsAliveAsync(CancellationToken cancellationToken)
    {
        if (_connection is null) return false;
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", _connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { return false; }
    }

    private static async Task<NpgsqlConnection?> TryLockAsync(NpgsqlDataSource dataSource, long key, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            if (await command.ExecuteScalarAsync(cancellationToken) is true) return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    // Closing the session releases its advisory locks.
    public ValueTask DisposeAsync() => _connection?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static long LockKey(Guid runId)
    {
        Span<byte> bytes = stackalloc byte[16];
        runId.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
    }
}
