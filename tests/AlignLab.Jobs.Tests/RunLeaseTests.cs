using AlignLab.Jobs.Execution;
using AlignLab.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlignLab.Jobs.Tests;

/// <summary>The lease's session is cut (as a database restart cuts every session) while the run executes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RunLeaseTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task ALeaseWhoseSessionWasCutTakesItsLockAgain()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync(migrate: false));
        var run = Guid.NewGuid();
        await using var lease = (await RunLease.TryAcquireAsync(dataSource, run, CancellationToken.None))!;
        using var runStop = new CancellationTokenSource();
        using var keeping = new CancellationTokenSource();
        var keep = lease.KeepAsync(Interval, runStop, NullLogger.Instance, keeping.Token);

        await CutLockHoldersAsync(dataSource);
        // Taken again on a new session: a second worker is refused again, and the run goes on.
        await Eventually.GetAsync(async () => await HeldByAnotherSessionAsync(dataSource), held => held, TimeSpan.FromSeconds(10), "the lock to be held again");
        Assert.Null(await RunLease.TryAcquireAsync(dataSource, run, CancellationToken.None));
        Assert.False(lease.Lost);
        Assert.False(runStop.IsCancellationRequested);

        await keeping.CancelAsync();
        await keep;
    }

    [Fact]
    public async Task ALeaseTakenByAnotherWorkerWhileItsSessionWasCutStopsTheRun()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync(migrate: false));
        var run = Guid.NewGuid();
        await using var lease = (await RunLease.TryAcquireAsync(dataSource, run, CancellationToken.None))!;
        using var runStop = new CancellationTokenSource();
        using var keeping = new CancellationTokenSource();

        await CutLockHoldersAsync(dataSource);
        await using var other = await RunLease.TryAcquireAsync(dataSource, run, CancellationToken.None);
        Assert.NotNull(other); // the cut released the lock; a second worker took it before the first noticed

        await lease.KeepAsync(Interval, runStop, NullLogger.Instance, keeping.Token);
        Assert.True(lease.Lost);
        Assert.True(runStop.IsCancellationRequested);
    }

    /// <summary>Terminates every session of this database that holds an advisory lock.</summary>
    private static async Task CutLockHoldersAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
            JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()
            """);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        await Eventually.GetAsync(async () => await HeldByAnotherSessionAsync(dataSource), held => !held, TimeSpan.FromSeconds(10), "the cut session to end");
    }

    private static async Task<bool> HeldByAnotherSessionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) > 0 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()
            """);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
