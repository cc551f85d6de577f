using Npgsql;

namespace AlignLab.Jobs.Execution;

/// <summary>Exclusive right to execute one run, held as a PostgreSQL session advisory lock on a connection
/// kept open for the job's lifetime. If the process dies the connection drops and the lock with it, so a
/// retry elsewhere can proceed; while it lives no second worker can run the same run.</summary>
public sealed class RunLease : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private RunLease(NpgsqlConnection connection) => _connection = connection;

    public static async Task<RunLease?> TryAcquireAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockKey(runId) });
            if (await command.ExecuteScalarAsync(cancellationToken) is true) return new RunLease(connection);
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
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static long LockKey(Guid runId)
    {
        Span<byte> bytes = stackalloc byte[16];
        runId.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
    }
}
