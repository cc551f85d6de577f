using System.Text.Json.Nodes;
using AlignLab.Core.Methods;
using AlignLab.Core.Methods.Smoke;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Launching;
using AlignLab.Testing;
using Dapper;
using Hangfire.PostgreSql;
using Npgsql;

namespace AlignLab.Jobs.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RunLauncherTests(PostgresFixture postgres)
{
    private static RunLauncher LauncherFor(NpgsqlDataSource dataSource) => new(dataSource, new RunRepository(dataSource), new SweepRepository(dataSource),
        new RunRequestValidator(new MethodCatalog([new SmokeMethod()])), new Data.Workers.WorkerDeviceRepository(dataSource), new PostgreSqlStorageOptions { SchemaName = "hangfire" });

    [Fact]
    public async Task ARunAndItsJobAreWrittenTogether()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var install = await dataSource.OpenConnectionAsync())
            PostgreSqlObjectsInstaller.Install(install, "hangfire");

        var result = await LauncherFor(dataSource).LaunchAsync(JsonNode.Parse("""{"method":"smoke","queue":"cpu"}"""));

        var run = result.Run!;
        Assert.Equal(RunStatus.Queued, run.Status);
        await using var connection = await dataSource.OpenConnectionAsync();
        var job = await connection.QuerySingleAsync<(string JobId, string Queue, string Arguments)>(
            "SELECT r.job_id, q.queue, j.arguments::text FROM runs r JOIN hangfire.job j ON j.id = r.job_id::bigint JOIN hangfire.jobqueue q ON q.jobid = j.id WHERE r.id = @id",
            new { id = run.Id });
        Assert.Equal("cpu", job.Queue);
        Assert.Contains(run.Id.ToString(), job.Arguments);
    }

    [Fact]
    public async Task WhenTheJobCannotBeWrittenTheRunIsNotWrittenEither()
    {
        // No Hangfire schema in this database: enqueueing fails inside the transaction.
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());

        await Assert.ThrowsAnyAsync<Exception>(() => LauncherFor(dataSource).LaunchAsync(JsonNode.Parse("""{"method":"smoke"}""")));

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM runs"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM run_events"));
    }

    [Fact]
    public async Task AnInvalidRequestWritesNothingAndReturnsTheErrors()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var result = await LauncherFor(dataSource).LaunchAsync(JsonNode.Parse("""{"method":"smoke","parameters":{"steps":-3}}"""));

        Assert.Null(result.Run);
        Assert.Contains("parameters.steps", result.Errors.Keys);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM runs"));
    }

    private static SweepGrid Grid(params (string Parameter, JsonNode[] Values)[] axes) =>
        new([.. axes.Select(a => new SweepGrid.Axis(a.Parameter, a.Values))]);

    [Fact]
    public async Task ASweepWritesItsRunsTogetherOrNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await using (var install = await dataSource.OpenConnectionAsync())
            PostgreSqlObjectsInstaller.Install(install, "hangfire");
        var launcher = LauncherFor(dataSource);
        var request = JsonNode.Parse("""{"method":"smoke","name":"decay","parameters":{"steps":3}}""")!.AsObject();

        // 2 × 2 points, the last axis fastest.
        var result = await launcher.LaunchSweepAsync(null, request, Grid(("decay", [0.1, 0.2]), ("initial_loss", [1.0, 2.0])));
        Assert.NotNull(result.SweepId);
        Assert.Equal(["decay [decay=0.1, initial_loss=1]", "decay [decay=0.1, initial_loss=2]", "decay [decay=0.2, initial_loss=1]", "decay [decay=0.2, initial_loss=2]"],
            result.Runs.Select(r => r.Spec.Name));
        Assert.Equal(0.2, result.Runs[3].Spec.Parameters["decay"]!.GetValue<double>());
        Assert.Equal(3, result.Runs[3].Spec.Parameters["steps"]!.GetValue<long>());
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM runs WHERE sweep_id = @id", new { id = result.SweepId }));
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM hangfire.jobqueue"));

        // One bad point: every error names its point, and nothing of the sweep is written.
        var bad = await launcher.LaunchSweepAsync(null, request, Grid(("steps", [5, -1, -2])));
        Assert.Null(bad.SweepId);
        Assert.Equal(["at steps=-1: must be between 1 and 1000000", "at steps=-2: must be between 1 and 1000000"], bad.Errors["parameters.steps"]);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sweeps"));
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM runs"));

        Assert.Contains("at most 10", (await launcher.LaunchSweepAsync(null, request, Grid(("steps", [.. Enumerable.Range(1, 11).Select(i => (JsonNode)i)])))).Errors["grid"][0]);
    }

    [Fact]
    public async Task ASweepThatWouldPassTheOwnersLimitIsRefusedWhole()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await using (var install = await dataSource.OpenConnectionAsync())
            PostgreSqlObjectsInstaller.Install(install, "hangfire");
        var userId = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("INSERT INTO users (id, name, password_hash, role) VALUES (@userId, 'ana', 'x', 'researcher')", new { userId });
        var owner = new RunOwner(userId, "ana", MaxConcurrentRuns: 3);
        var launcher = LauncherFor(dataSource);
        Assert.NotNull((await launcher.LaunchAsync(JsonNode.Parse("""{"method":"smoke"}"""), owner)).Run);

        var refused = await launcher.LaunchSweepAsync("three", JsonNode.Parse("""{"method":"smoke"}""")!.AsObject(), Grid(("steps", [1, 2, 3])), owner);
        Assert.True(refused.OverLimit);
        Assert.Contains("ana has 1 queued or running runs; 3 more", refused.Errors["runs"][0]);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM runs"));
        Assert.NotNull((await launcher.LaunchSweepAsync("two", JsonNode.Parse("""{"method":"smoke"}""")!.AsObject(), Grid(("steps", [1, 2])), owner)).SweepId);
    }
}
