using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlignLab.Data.Migrations;

/// <summary>Applies the numbered SQL scripts of this folder (embedded in the assembly) that the database has
/// not seen yet, each in its own transaction, journaled in public.schema_versions. Web nodes and workers
/// may start together, so the upgrade runs under a cluster-wide advisory lock.</summary>
public static class DatabaseMigrator
{
    private const long MigrationLockKey = 0x416c69676e4c6162; // "AlignLab"

    public static async Task MigrateAsync(string connectionString, ILogger log, CancellationToken cancellationToken = default)
    {
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
            await take.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly,
                    name => name.Contains(".Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", "schema_versions")
                .LogTo(new DbUpLog(log))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException(
                    $"Database migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private sealed class DbUpLog(ILogger log) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => log.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => log.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => log.LogDebug(format, args);
        public void LogWarning(string format, params object[] args) => log.LogWarning(format, args);
        public void LogError(string format, params object[] args) => log.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => log.LogError(ex, format, args);
    }
}
