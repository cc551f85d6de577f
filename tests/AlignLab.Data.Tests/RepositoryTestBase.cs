using System.Text.Json.Nodes;
using AlignLab.Core.Runs;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Data.Tests;

/// <summary>A fresh migrated database per test and helpers to make runs in it.</summary>
public abstract class RepositoryTestBase(PostgresFixture postgres) : IAsyncLifetime
{
    protected NpgsqlDataSource DataSource { get; private set; } = null!;
    protected RunRepository Runs { get; private set; } = null!;
    protected MetricRepository Metrics { get; private set; } = null!;
    protected string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Runs = new RunRepository(DataSource);
        Metrics = new MetricRepository(DataSource);
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();

    protected async Task<Guid> NewRunAsync(string name = "r")
    {
        var id = Guid.CreateVersion7();
        await using var connection = await DataSource.OpenConnectionAsync();
        await Runs.InsertAsync(connection, id, new RunSpec("smoke", name, "default",
            new Dictionary<string, JsonNode?> { ["steps"] = 3 }));
        return id;
    }

    /// <summary>Collects notifications on a channel through a connection of its own.</summary>
    protected async Task<Listener> ListenAsync(string channel)
    {
        var connection = await DataSource.OpenConnectionAsync();
        var listener = new Listener(connection);
        connection.Notification += (_, e) => { lock (listener.Payloads) listener.Payloads.Add(e.Payload); };
        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection)) await listen.ExecuteNonQueryAsync();
        return listener;
    }

    protected sealed class Listener(NpgsqlConnection connection) : IAsyncDisposable
    {
        public List<string> Payloads { get; } = [];

        /// <summary>Waits for pending notifications to arrive (they are delivered on commit).</summary>
        public async Task<List<string>> DrainAsync()
        {
            while (await connection.WaitAsync(TimeSpan.FromMilliseconds(300))) { }
            lock (Payloads) return [.. Payloads];
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
