using AlignLab.Data.Embedded;
using AlignLab.Data.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AlignLab.Data;

/// <summary>Finds the platform's database before the host is built: the configured server
/// (ConnectionStrings:AlignLab), or else the embedded cluster — started by the web app, attached to by a
/// worker on the same machine. Applies pending migrations either way.</summary>
public static class DatabaseBootstrap
{
    public const string ConnectionStringName = "AlignLab";

    public static async Task<DatabaseHandle> PrepareAsync(IConfiguration configuration, ILogger log,
        bool mayStartEmbedded, CancellationToken cancellationToken = default)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        EmbeddedPostgres? cluster = null;
        string connectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = configured;
            log.LogInformation("Using the configured PostgreSQL server (ConnectionStrings:{Name})", ConnectionStringName);
        }
        else
        {
            var options = configuration.GetSection(EmbeddedPostgresOptions.Section).Get<EmbeddedPostgresOptions>() ?? new();
            cluster = mayStartEmbedded
                ? await EmbeddedPostgres.StartAsync(options, log, cancellationToken)
                : await EmbeddedPostgres.AttachAsync(options, log, cancellationToken)
                  ?? throw new EmbeddedPostgresException(
                      $"No database: set ConnectionStrings:{ConnectionStringName}, or start the web app first so that " +
                      $"its embedded PostgreSQL in {options.ResolveRoot()} is running.");
            connectionString = cluster.ConnectionString(options.Database);
        }
        try
        {
            await DatabaseMigrator.MigrateAsync(connectionString, log, cancellationToken);
        }
        catch
        {
            if (cluster is not null) await cluster.DisposeAsync();
            throw;
        }
        return new DatabaseHandle(connectionString, cluster);
    }
}

/// <summary>The database a process uses; disposing it stops the embedded cluster if this process started it.</summary>
public sealed record DatabaseHandle(string ConnectionString, EmbeddedPostgres? EmbeddedCluster) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => EmbeddedCluster?.DisposeAsync() ?? ValueTask.CompletedTask;
}
