using AlignLab.Core.Memory;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Workers;

/// <summary>The worker_devices table: what each live job server can run on (its devices and their memory) and for which
/// queues. Servers publish themselves; submission reads the devices of a run's queue.</summary>
public sealed class WorkerDeviceRepository(NpgsqlDataSource dataSource)
{
    /// <summary>How long a server's rows count as live without being refreshed.</summary>
    public static readonly TimeSpan LiveFor = TimeSpan.FromMinutes(2);

    /// <summary>Replaces <paramref name="server"/>'s rows with <paramref name="devices"/>, seen now, in one transaction.</summary>
    public async Task PublishAsync(string server, IReadOnlyList<string> queues, IReadOnlyList<WorkerDevice> devices, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM worker_devices WHERE server = @server", new { server }, transaction,
            cancellationToken: cancellationToken));
        foreach (var device in devices)
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO worker_devices (server, device, memory_bytes, queues) VALUES (@server, @device, @bytes, @queues)",
                new { server, device = device.Device, bytes = device.MemoryBytes, queues = queues.ToArray() }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Removes <paramref name="server"/>'s rows (it stops).</summary>
    public async Task RemoveAsync(string server, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM worker_devices WHERE server = @server", new { server }, cancellationToken: cancellationToken));
    }

    /// <summary>The devices of the servers that take runs from <paramref name="queue"/> and were seen within <see cref="LiveFor"/>.</summary>
    public async Task<IReadOnlyList<WorkerDevice>> LiveAsync(string queue, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Server, string Device, long Bytes)>(new CommandDefinition(
            """
            SELECT server, device, memory_bytes FROM worker_devices
            WHERE @queue = ANY (queues) AND seen_at > now() - make_interval(secs => @seconds)
            ORDER BY server, device
            """, new { queue, seconds = LiveFor.TotalSeconds }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new WorkerDevice(r.Device, r.Bytes, r.Server))];
    }
}
