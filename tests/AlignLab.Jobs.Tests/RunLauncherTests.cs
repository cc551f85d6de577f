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
    private static RunLauncher LauncherFor(NpgsqlDataSource dataSource) => new(dataSource, new RunRepository(dataSource),
        new RunRequestValidator(new MethodCatalog([new SmokeMethod()])), new PostgreSqlStorageOptions { SchemaName = "hangfire" });

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
}
