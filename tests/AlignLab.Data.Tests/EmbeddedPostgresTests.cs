using AlignLab.Data.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Data.Tests;

/// <summary>The launcher itself, each test with a cluster of its own.</summary>
public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"alignlab-launcher-{Guid.NewGuid():N}");
    private EmbeddedPostgresOptions Options => new() { Root = _root, Database = "app" };

    [Fact]
    public async Task StartsServesStopsAndReusesItsDataOnTheNextStart()
    {
        int port;
        await using (var first = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance))
        {
            Assert.True(first.Owned);
            port = first.Port;
            await Execute(first.ConnectionString("app"), "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
        }
        Assert.Empty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));
        Assert.ThrowsAny<NpgsqlException>(() => Execute(NewConnectionString(port), "SELECT 1").GetAwaiter().GetResult());

        await using var second = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        Assert.Equal(port, second.Port);
        Assert.Equal(42, await Scalar(second.ConnectionString("app"), "SELECT v FROM kept"));
    }

    [Fact]
    public async Task ListensOnLoopbackOnlyWithPasswordAuthentication()
    {
        await using var cluster = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        Assert.Equal("127.0.0.1/32", await ScalarText(cluster.ConnectionString("app"), "SELECT inet_server_addr()::text"));

        var wrongPassword = new NpgsqlConnectionStringBuilder(cluster.ConnectionString("app")) { Password = "wrong" };
        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(wrongPassword.ConnectionString, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public async Task AsRootTheClusterBelongsToThePostgresUser()
    {
        await using var cluster = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        var dataOwner = FileOwner(cluster.DataDirectory);
        Assert.Equal(Environment.IsPrivilegedProcess ? "postgres" : Environment.UserName, dataOwner);
    }

    [Fact]
    public async Task AWorkerAttachesWithoutOwningAndFindsNothingOnceStopped()
    {
        Assert.Null(await EmbeddedPostgres.AttachAsync(Options, NullLogger.Instance));
        var owner = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        var attached = await EmbeddedPostgres.AttachAsync(Options, NullLogger.Instance);
        Assert.NotNull(attached);
        Assert.False(attached.Owned);
        await attached.DisposeAsync(); // does not stop the server
        Assert.Equal(1, await Scalar(owner.ConnectionString("app"), "SELECT 1"));

        await owner.DisposeAsync();
        Assert.Null(await EmbeddedPostgres.AttachAsync(Options, NullLogger.Instance));
    }

    [Fact]
    public async Task AServerLeftByAKilledProcessIsAdoptedAndStoppedByTheNextOwner()
    {
        var crashed = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        // The owning process dies without stopping the server: nothing calls StopAsync on `crashed`.
        await using (var next = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance))
        {
            Assert.True(next.Owned);
            Assert.Equal(crashed.Port, next.Port);
            Assert.NotEmpty(PostgresProcesses.Of(next.DataDirectory));
        }
        Assert.Empty(PostgresProcesses.Of(Path.Combine(_root, "postgres")));
    }

    [Fact]
    public async Task AForeignFolderInThePlaceOfTheClusterIsNotTouched()
    {
        Directory.CreateDirectory(Path.Combine(_root, "postgres"));
        File.WriteAllText(Path.Combine(_root, "postgres", "precious.txt"), "mine");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(Options, NullLogger.Instance));
        Assert.Contains("holds no PostgreSQL cluster created by AlignLab", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(_root, "postgres", "precious.txt")));
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<int> Scalar(string connectionString, string sql) => int.Parse(await ScalarText(connectionString, sql));

    private static async Task<string> ScalarText(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())!.ToString()!;
    }

    // The servers of these tests restart; a pooled connection would outlive its server.
    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string NewConnectionString(int port) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "x", Password = "x", Timeout = 2 }.ConnectionString;

    private static string FileOwner(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var owner = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return owner;
    }

    public void Dispose()
    {
        foreach (var pid in PostgresProcesses.Of(Path.Combine(_root, "postgres")))
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
