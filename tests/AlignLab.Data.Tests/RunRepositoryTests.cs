using AlignLab.Core.Runs;
using AlignLab.Data.Migrations;
using AlignLab.Data.Notifications;
using AlignLab.Data.Runs;
using AlignLab.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlignLab.Data.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RunRepositoryTests(PostgresFixture postgres) : RepositoryTestBase(postgres)
{
    [Fact]
    public async Task ASpecKeepsItsPresetAndChangesAndOneStoredWithoutThemReadsAsNone()
    {
        var id = Guid.CreateVersion7();
        await using (var connection = await DataSource.OpenConnectionAsync())
            await Runs.InsertAsync(connection, id, new RunSpec("figa", "preset", "cpu",
                new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["max_steps"] = 7 }, "demo", ["max_steps"]));
        var spec = (await Runs.GetAsync(id))!.Spec;
        Assert.Equal("demo", spec.Preset);
        Assert.Equal(["max_steps"], spec.Changed!);

        var old = (await Runs.GetAsync(await NewRunAsync("before presets")))!.Spec;
        Assert.Null(old.Preset);
        Assert.Null(old.Changed);
    }

    [Fact]
    public async Task ARunGoesFromQueuedThroughRunningToItsEndAndRecordsEachStatus()
    {
        var id = await NewRunAsync("lifecycle");
        var queued = (await Runs.GetAsync(id))!;
        Assert.Equal(RunStatus.Queued, queued.Status);
        Assert.Equal("lifecycle", queued.Spec.Name);
        Assert.Equal(3, queued.Spec.Parameters["steps"]!.GetValue<long>());

        var running = await Runs.TryStartAsync(id);
        Assert.Equal(RunStatus.Running, running!.Status);
        Assert.NotNull(running.StartedAt);

        Assert.True(await Runs.CompleteAsync(id, RunStatus.Failed, "boom"));
        Assert.False(await Runs.CompleteAsync(id, RunStatus.Succeeded, null));
        Assert.Null(await Runs.TryStartAsync(id));

        var failed = (await Runs.GetAsync(id))!;
        Assert.Equal((RunStatus.Failed, "boom"), (failed.Status, failed.Error));
        Assert.NotNull(failed.FinishedAt);
        Assert.Equal([RunStatus.Queued, RunStatus.Running, RunStatus.Failed], (await Runs.EventsAsync(id)).Select(e => e.Status));
    }

    [Fact]
    public async Task ARetriedAttemptOfARunningRunStartsAgain()
    {
        var id = await NewRunAsync();
        await Runs.TryStartAsync(id);
        var again = await Runs.TryStartAsync(id);
        Assert.Equal(RunStatus.Running, again!.Status);
        Assert.Equal(2, await DataSource.OpenConnection().ExecuteScalarAsync<int>("SELECT attempts FROM runs WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task CancellingAQueuedRunEndsItAtOnce()
    {
        var id = await NewRunAsync();
        Assert.Equal(CancelOutcome.Cancelled, await Runs.RequestCancelAsync(id, by: null));
        Assert.Equal(RunStatus.Cancelled, (await Runs.GetAsync(id))!.Status);
        Assert.Null(await Runs.TryStartAsync(id));
        Assert.Equal(CancelOutcome.AlreadyFinished, await Runs.RequestCancelAsync(id, by: null));
    }

    [Fact]
    public async Task CancellingARunningRunAsksItsJobThroughTheCancelChannel()
    {
        var id = await NewRunAsync();
        await Runs.TryStartAsync(id);
        await using var listener = await ListenAsync(Channels.Cancel);

        Assert.Equal(CancelOutcome.Requested, await Runs.RequestCancelAsync(id, by: null));

        Assert.Equal(id.ToString(), Assert.Single(await listener.DrainAsync()));
        var run = (await Runs.GetAsync(id))!;
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.True(run.CancelRequested);
        Assert.True(await Runs.IsCancelRequestedAsync(id));
        Assert.Equal(CancelOutcome.NotFound, await Runs.RequestCancelAsync(Guid.NewGuid(), by: null));
    }

    [Fact]
    public async Task ListingFiltersAndPagesNewestFirst()
    {
        var ids = new List<Guid>();
        for (int i = 0; i < 5; i++) ids.Add(await NewRunAsync($"run {i}"));
        await Runs.TryStartAsync(ids[1]);
        await Runs.TryStartAsync(ids[3]);

        var firstPage = await Runs.ListAsync(new RunQuery(PageSize: 2));
        Assert.Equal(5, firstPage.Total);
        Assert.Equal(["run 4", "run 3"], firstPage.Items.Select(r => r.Spec.Name));
        var lastPage = await Runs.ListAsync(new RunQuery(Page: 2, PageSize: 2));
        Assert.Equal(["run 0"], lastPage.Items.Select(r => r.Spec.Name));

        var running = await Runs.ListAsync(new RunQuery(Status: RunStatus.Running));
        Assert.Equal([ids[3], ids[1]], running.Items.Select(r => r.Id));
        Assert.Equal(0, (await Runs.ListAsync(new RunQuery(Method: "figa"))).Total);
    }

    [Fact]
    public async Task MigratingAgainChangesNothing()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_versions");
        await DatabaseMigrator.MigrateAsync(ConnectionString, NullLogger.Instance);
        Assert.Equal(before, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_versions"));
        Assert.True(before >= 1);
    }
}
