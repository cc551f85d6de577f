using System.Text.Json.Nodes;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Worker.Tests;

/// <summary>The distributed placement: a web node without a job server, and AlignLab.Worker processes
/// against the same database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SeparateWorkerTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _connectionString = "";
    private readonly string _artifacts = Directory.CreateTempSubdirectory("alignlab-worker-artifacts-").FullName;
    private AppProcess _web = null!;
    private AlignLabApi _api = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync(migrate: false);
        _web = await AppProcess.StartWebAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:AlignLab"] = _connectionString,
            ["AlignLab:Artifacts:Root"] = _artifacts,
            ["AlignLab:Jobs:RunServer"] = "false",
            ["AlignLab:Models:Roots:0"] = _artifacts,
            ["AlignLab:Models:CreateDemoModel"] = "false",
        });
        _api = new AlignLabApi(await _web.ListeningAddress);
    }

    private AppProcess StartWorker(string name) => AppProcess.Start("AlignLab.Worker", new Dictionary<string, string>
    {
        ["ConnectionStrings:AlignLab"] = _connectionString,
        ["AlignLab:Artifacts:Root"] = _artifacts,
        ["AlignLab:Models:Roots:0"] = _artifacts,
        ["AlignLab:Jobs:ServerName"] = name,
        ["AlignLab:Jobs:WorkerCount"] = "1",
        // Short so that a killed worker's job comes back quickly; a live worker keeps extending it.
        ["AlignLab:Jobs:InvisibilityTimeoutSeconds"] = "6",
        ["AlignLab:Jobs:QueuePollIntervalSeconds"] = "1",
    });

    [Fact]
    public async Task AKilledWorkerRunIsFinishedByTheNextWorkerWithoutDuplicateOrMissingPoints()
    {
        const int steps = 80;
        var run = await _api.CreateRunAsync(new { method = "smoke", parameters = new { steps, delay_ms = 60, checkpoint_every = 5 } });
        var id = Guid.Parse(run["id"]!.GetValue<string>());

        // Nobody executes it while there is no worker: the web app's own server is off.
        await Task.Delay(2500);
        Assert.Equal("Queued", await _api.StatusAsync(id));

        var first = StartWorker("worker-a");
        await _api.WaitForStatusAsync(id, "Running", TimeSpan.FromSeconds(60));
        await Eventually.GetAsync(async () => (await _api.GetRunAsync(id))["step"]!.GetValue<long>(), s => s >= 17,
            TimeSpan.FromSeconds(30), "the run to pass step 17");
        first.Kill(); // SIGKILL: no shutdown, no last flush
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var stepAtKill = (await _api.GetRunAsync(id))["step"]!.GetValue<long>();
        Assert.Equal("Running", await _api.StatusAsync(id));

        await using var second = StartWorker("worker-b");
        await _api.WaitForStatusAsync(id, "Succeeded", TimeSpan.FromSeconds(90));

        var loss = (await _api.MetricsAsync(id)).Where(p => p!["name"]!.GetValue<string>() == "loss")
            .Select(p => p!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(s => (long)s), loss);

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        Assert.Equal(0L, await Scalar(connection, "SELECT count(*) FROM (SELECT 1 FROM metrics GROUP BY run_id, name, step HAVING count(*) > 1) d"));
        // Two attempts, the second resumed from a checkpoint taken before the kill, after the first had started.
        Assert.Equal(2L, await Scalar(connection, $"SELECT attempts::bigint FROM runs WHERE id = '{id}'"));
        Assert.Equal(2L, await Scalar(connection, $"SELECT count(*) FROM run_events WHERE run_id = '{id}' AND status = 'Running'"));
        var checkpoints = Directory.GetDirectories(Path.Combine(_artifacts, "runs", id.ToString(), "checkpoints"));
        Assert.Contains(checkpoints, c => c.EndsWith($"step-{steps:D10}"));
        Assert.True(stepAtKill < steps);
        Assert.Contains("worker-b", await ProcessingServer(connection, id));
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The Hangfire server named in the job's last Processing state.</summary>
    private static async Task<string> ProcessingServer(NpgsqlConnection connection, Guid runId)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT s.data::text FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.arguments::text LIKE '%' || $1 || '%' ORDER BY s.id DESC LIMIT 1
            """, connection);
        command.Parameters.AddWithValue(runId.ToString());
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _web.DisposeAsync();
    }
}
