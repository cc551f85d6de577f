using System.Text.Json.Nodes;
using System.Transactions;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Execution;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.States;
using Npgsql;

namespace AlignLab.Jobs.Launching;

/// <summary>Validates a run request and, if valid, writes the Queued run and its Hangfire job in one
/// transaction on one connection: either both exist or neither does.</summary>
public sealed class RunLauncher(
    NpgsqlDataSource dataSource,
    RunRepository runs,
    RunRequestValidator validator,
    PostgreSqlStorageOptions storageOptions)
{
    // Enqueue-only view of the storage: no schema preparation, no heartbeat, same schema and notifications.
    private readonly PostgreSqlStorageOptions _enqueueOptions = new()
    {
        SchemaName = storageOptions.SchemaName,
        EnableLongPolling = storageOptions.EnableLongPolling,
        PrepareSchemaIfNecessary = false,
        EnableTransactionScopeEnlistment = true,
        AllowUnsafeValues = true,
    };

    /// <summary>Launches a run for <paramref name="owner"/> (none: a run of the platform itself), refused when the
    /// owner already has their limit of Queued and Running runs; counting and inserting happen under one lock per
    /// owner, so concurrent launches cannot overshoot the limit.</summary>
    public async Task<LaunchResult> LaunchAsync(JsonNode? request, RunOwner? owner = null, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(request);
        if (validation.Spec is not { } spec) return new LaunchResult(null, validation.Errors);

        var id = Guid.CreateVersion7();
        using (var scope = new TransactionScope(TransactionScopeOption.Required,
                   new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted }, TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            if (owner is not null)
            {
                var active = await runs.LockAndCountActiveAsync(connection, owner.UserId);
                if (active >= owner.MaxConcurrentRuns)
                    return new LaunchResult(null, new Dictionary<string, string[]>
                    {
                        ["runs"] = [$"{owner.Name} has {active} queued or running runs, the most one user may have; wait for one to end or cancel one"],
                    }, OverLimit: true);
            }
            await runs.InsertAsync(connection, id, spec, owner?.UserId);
            // Hangfire writes its job through the same (enlisted) connection, so it joins our transaction.
            var storage = new PostgreSqlStorage(connection, _enqueueOptions);
            var jobId = new BackgroundJobClient(storage).Create(
                Job.FromExpression<RunJob>(job => job.ExecuteAsync(id, CancellationToken.None)),
                new EnqueuedState(spec.Queue));
            await runs.SetJobIdAsync(connection, id, jobId);
            scope.Complete();
        }
        return new LaunchResult(await runs.GetAsync(id, cancellationToken), validation.Errors);
    }

    /// <summary>A new run with a finished run's spec, named "… (retry)", validated again against the method's
    /// current schema (a run's own record is never reset: its history stays as it was).</summary>
    public Task<LaunchResult> RetryAsync(Run run, RunOwner? owner = null, CancellationToken cancellationToken = default) =>
        LaunchAsync(RequestOf(run.Spec, RetryName(run.Spec.Name)), owner, cancellationToken);

    public static string RetryName(string name)
    {
        const string suffix = " (retry)";
        return (name.Length + suffix.Length > RunRequestValidator.MaxNameLength ? name[..(RunRequestValidator.MaxNameLength - suffix.Length)] : name) + suffix;
    }

    /// <summary>The request that creates a run with this spec under another name.</summary>
    public static JsonObject RequestOf(RunSpec spec, string name) => new()
    {
        ["method"] = spec.Method,
        ["name"] = name,
        ["queue"] = spec.Queue,
        ["parameters"] = new JsonObject(spec.Parameters.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
    };
}

/// <summary>The created run, or the errors keyed by field; <see cref="OverLimit"/> when the spec was valid but the
/// owner's concurrent-runs limit refused it.</summary>
public sealed record LaunchResult(Run? Run, IReadOnlyDictionary<string, string[]> Errors, bool OverLimit = false);

/// <summary>The user a run is launched for, and how many Queued or Running runs they may have at once.</summary>
public sealed record RunOwner(Guid UserId, string Name, int MaxConcurrentRuns);
