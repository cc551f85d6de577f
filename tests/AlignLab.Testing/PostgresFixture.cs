using AlignLab.Data.Embedded;
using AlignLab.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;

using Xunit;

namespace AlignLab.Testing;

/// <summary>One private PostgreSQL cluster per test assembly, started by the platform's own launcher in a
/// temporary folder; each test gets a fresh, migrated database in it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"alignlab-tests-{Guid.NewGuid():N}");
    public EmbeddedPostgres Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Root = Root }, NullLogger.Instance);
    }

    /// <summary>A new empty database with the platform's schema; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(bool migrate = true)
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        await Cluster.CreateDatabaseIfMissingAsync(name);
        var connectionString = Cluster.ConnectionString(name);
        if (migrate) await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        return connectionString;
    }

    /// <summary>Stops the server as an administrator would (fast shutdown: sessions are cut), keeps it down for
    /// <paramref name="downtime"/>, and starts it again on the same data and port.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await Cluster.StopAsync();
        await Task.Delay(downtime);
        Cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Root = Root }, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
