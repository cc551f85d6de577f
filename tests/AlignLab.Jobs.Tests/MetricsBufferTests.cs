using AlignLab.Data.Embedded;
using AlignLab.Data.Metrics;
using AlignLab.Data.Migrations;
using AlignLab.Jobs.Metrics;
using AlignLab.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlignLab.Jobs.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MetricsBufferTests(PostgresFixture postgres)
{
    private static async Task<Guid> NewRunAsync(NpgsqlDataSource dataSource)
    {
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO runs (id, name, method, queue, spec, status) VALUES (@id, 'r', 'smoke', 'default', '{}', 'Running')", new { id });
        return id;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, Guid run)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM metrics WHERE run_id = @run", new { run });
    }

    [Fact]
    public async Task PointsAreWrittenWithinAFewFlushIntervalsWithoutWaitingForTheJobToEnd()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var run = await NewRunAsync(dataSource);
        await using var buffer = new MetricsBuffer(run, new MetricRepository(dataSource), TimeSpan.FromMilliseconds(50), 1000, NullLogger.Instance);

        for (int step = 1; step <= 10; step++) buffer.Report(step, "loss", step);
        buffer.ReportProgress(10, 20);

        await Eventually.GetAsync(() => CountAsync(dataSource, run), n => n == 10, TimeSpan.FromSeconds(5), "the points in the table");
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(10, await connection.ExecuteScalarAsync<long>("SELECT step FROM runs WHERE id = @run", new { run }));
    }

    [Fact]
    public async Task PointsReportedWhileTheDatabaseIsDownAreWrittenWhenItIsBack()
    {
        // A cluster of its own: this test stops and restarts it.
        var root = Path.Combine(Path.GetTempPath(), $"alignlab-restart-{Guid.NewGuid():N}");
        var options = new EmbeddedPostgresOptions { Root = root, Database = "app" };
        var cluster = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance);
        try
        {
            var connectionString = cluster.ConnectionString("app");
            await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var run = await NewRunAsync(dataSource);
            await using (var buffer = new MetricsBuffer(run, new MetricRepository(dataSource), TimeSpan.FromMilliseconds(50), 10_000, NullLogger.Instance))
            {
                for (int step = 1; step <= 5; step++) buffer.Report(step, "loss", step);
                await buffer.FlushAsync();

                await cluster.StopAsync();
                for (int step = 6; step <= 20; step++) buffer.Report(step, "loss", step);
                await Task.Delay(500); // several failed flush attempts

                cluster = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance);
                for (int step = 21; step <= 25; step++) buffer.Report(step, "loss", step);
            } // disposing flushes, retrying until the server answers

            NpgsqlConnection.ClearAllPools();
            Assert.Equal(25, await CountAsync(dataSource, run));
        }
        finally
        {
            await cluster.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
