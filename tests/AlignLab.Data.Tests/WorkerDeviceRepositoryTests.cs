using AlignLab.Core.Memory;
using AlignLab.Data.Workers;
using AlignLab.Testing;
using Dapper;

namespace AlignLab.Data.Tests;

[Collection(PostgresCollection.Name)]
public sealed class WorkerDeviceRepositoryTests(PostgresFixture postgres) : RepositoryTestBase(postgres)
{
    [Fact]
    public async Task AServersDevicesAreLiveForItsQueuesUntilItStopsOrIsNotSeen()
    {
        var devices = new WorkerDeviceRepository(DataSource);
        await devices.PublishAsync("a", ["gpu", "cpu"], [new("cpu", 100), new("cuda:0", 80), new("cuda:1", 40)]);
        await devices.PublishAsync("b", ["cpu"], [new("cpu", 50)]);

        Assert.Equal([new("cpu", 100, "a"), new("cuda:0", 80, "a"), new("cuda:1", 40, "a")], await devices.LiveAsync("gpu"));
        Assert.Equal(["a", "a", "a", "b"], (await devices.LiveAsync("cpu")).Select(d => d.Server));
        Assert.Empty(await devices.LiveAsync("default"));

        // Publishing again replaces the server's devices (a GPU gone), and keeps it live.
        await devices.PublishAsync("a", ["gpu"], [new("cpu", 100), new("cuda:0", 80)]);
        Assert.Equal(["cpu", "cuda:0"], (await devices.LiveAsync("gpu")).Select(d => d.Device));
        Assert.Equal(["b"], (await devices.LiveAsync("cpu")).Select(d => d.Server));

        // A server not seen within LiveFor is not live; one that stopped has no rows.
        await using (var connection = await DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE worker_devices SET seen_at = now() - make_interval(secs => @s) WHERE server = 'b'",
                new { s = WorkerDeviceRepository.LiveFor.TotalSeconds + 1 });
        Assert.Empty(await devices.LiveAsync("cpu"));
        await devices.RemoveAsync("a");
        Assert.Empty(await devices.LiveAsync("gpu"));
    }

    [Fact]
    public async Task ADeviceThatIsNeitherTheCpuNorANumberedGpuIsNotWritten()
    {
        var devices = new WorkerDeviceRepository(DataSource);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => devices.PublishAsync("a", ["gpu"], [new("cpu", 100), new("cuda", 80)]));
        Assert.Empty(await devices.LiveAsync("gpu"));                                 // the transaction wrote nothing
    }
}
