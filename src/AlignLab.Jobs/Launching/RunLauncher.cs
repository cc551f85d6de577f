using System.Text.Json.Nodes;
using System.Transactions;
using AlignLab.Core.Memory;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Data.Workers;
using AlignLab.Jobs.Execution;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.States;
using Npgsql;

namespace AlignLab.Jobs.Launching;

/// <summary>Validates a run request and, if valid, writes the Queued run and its Hangfire job in one
/// transaction on one connection: either both exist or neither does. Cancelling a queued run deletes its job.</summary>
public sealed class RunLauncher(
    NpgsqlDataSource dataSource,
    RunRepository runs,
    SweepRepository sweeps,
    RunRequestValidator validator,
    WorkerDeviceRepository workerDevices,
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
    public Task<LaunchResult> LaunchAsync(JsonNode? request, RunOwner? owner = null, CancellationToken cancellationToken = default) =>
        LaunchAsync(request, owner, retryOf: null, cancellationToken);

    private async Task<LaunchResult> LaunchAsync(JsonNode? request, RunOwner? owner, Guid? retryOf, CancellationToken cancellationToken)
    {
        var validation = validator.Validate(request);
        if (validation.Spec is not { } spec) return new LaunchResult(null, validation.Errors);
        if (await DeviceRefusalAsync(spec, [], cancellationToken) is { } refusal)
            return new LaunchResult(null, new Dictionary<string, string[]> { [DeviceField] = [refusal] });
        var launched = await LaunchAllAsync([spec], owner, null, null, cancellationToken, retryOf);
        return launched.Errors is { } limit ? new LaunchResult(null, limit, OverLimit: true) : new LaunchResult(launched.Runs[0], validation.Errors);
    }

    /// <summary>Launches one run per point of <paramref name="grid"/>, each <paramref name="request"/> with the point's
    /// parameters, as one sweep: every point is validated first, then the sweep and all its runs are written in one
    /// transaction, or nothing is. Errors are keyed like a run request's, each message naming its point.</summary>
    public async Task<SweepLaunchResult> LaunchSweepAsync(string? name, JsonObject request, SweepGrid grid, RunOwner? owner = null,
        CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (grid.Count == 0) errors["grid"] = ["give at least one parameter with at least one value"];
        else if (grid.Count > SweepGrid.MaxPoints) errors["grid"] = [$"{grid.Count} runs: a sweep launches at most {SweepGrid.MaxPoints}"];
        if (name is { Length: > RunRequestValidator.MaxNameLength }) errors["name"] = [$"at most {RunRequestValidator.MaxNameLength} characters"];
        // A name of the wrong type is reported by the validation of each point; it only falls back here.
        var baseName = name ?? (request["name"] is JsonValue given && given.TryGetValue<string>(out var text) ? text : null)
            ?? (request["method"] is JsonValue method && method.TryGetValue<string>(out var methodName) ? methodName : "sweep");
        var specs = new List<RunSpec>();
        var devicesOfQueues = new Dictionary<string, IReadOnlyList<WorkerDevice>>();
        foreach (var point in errors.Count > 0 ? [] : grid.Points())
        {
            var label = SweepGrid.Label(point);
            var pointRequest = (JsonObject)request.DeepClone();
            var parameters = pointRequest["parameters"] as JsonObject ?? new JsonObject();
            foreach (var (parameter, value) in point) parameters[parameter] = value.DeepClone();
            pointRequest["parameters"] = parameters;
            pointRequest["name"] = RunName(baseName, label);
            var validation = validator.Validate(pointRequest);
            var pointErrors = validation.Errors.ToDictionary();
            if (validation.Spec is { } spec)
            {
                specs.Add(spec);
                if (await DeviceRefusalAsync(spec, devicesOfQueues, cancellationToken) is { } refusal) pointErrors[DeviceField] = [refusal];
            }
            foreach (var (field, messages) in pointErrors)
                (errors.TryGetValue(field, out var list) ? list : errors[field] = []).AddRange(messages.Select(m => $"at {label}: {m}"));
        }
        if (errors.Count > 0) return new SweepLaunchResult(null, [], errors.ToDictionary(e => e.Key, e => e.Value.Distinct().ToArray()));

        var sweepId = Guid.CreateVersion7();
        var launched = await LaunchAllAsync(specs, owner, sweepId, connection =>
            sweeps.InsertAsync(connection, sweepId, baseName, specs[0].Method, grid.ToJson().ToJsonString(), owner?.UserId), cancellationToken);
        if (launched.Errors is { } limit) return new SweepLaunchResult(null, [], limit, OverLimit: true);
        return new SweepLaunchResult(sweepId, launched.Runs, new Dictionary<string, string[]>());
    }

    /// <summary>The field a refusal for want of device memory is reported under.</summary>
    public const string DeviceField = "parameters.device";

    /// <summary>The refusal of a run whose memory estimate exceeds every live device of its queue that serves the device
    /// it asks for; null when one can hold it, or when no live server of the queue has such a device (the worker that
    /// takes the run checks again at its start). <paramref name="known"/> keeps the devices of queues already read.</summary>
    private async Task<string?> DeviceRefusalAsync(RunSpec spec, Dictionary<string, IReadOnlyList<WorkerDevice>> known, CancellationToken cancellationToken)
    {
        if (spec.Memory is not { } estimate) return null;
        if (!known.TryGetValue(spec.Queue, out var devices)) known[spec.Queue] = devices = await workerDevices.LiveAsync(spec.Queue, cancellationToken);
        return DeviceFit.Refusal(estimate, RunJob.DeviceOf(spec) ?? "cpu", devices, spec.Queue);
    }

    private static string RunName(string name, string label)
    {
        var suffix = $" [{label}]";
        return name.Length + suffix.Length > RunRequestValidator.MaxNameLength
            ? name[..Math.Max(0, RunRequestValidator.MaxNameLength - suffix.Length)] + suffix
            : name + suffix;
    }

    /// <summary>Writes the runs (of <paramref name="sweepId"/>, which <paramref name="before"/> writes first) with their
    /// Hangfire jobs in one transaction; refused, with the reason under "runs", when they would take the owner past their limit.</summary>
    private async Task<(IReadOnlyList<Run> Runs, IReadOnlyDictionary<string, string[]>? Errors)> LaunchAllAsync(IReadOnlyList<RunSpec> specs,
        RunOwner? owner, Guid? sweepId, Func<NpgsqlConnection, Task>? before, CancellationToken cancellationToken, Guid? retryOf = null)
    {
        var ids = specs.Select(_ => Guid.CreateVersion7()).ToList();
        using (var scope = new TransactionScope(TransactionScopeOption.Required,
                   new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted }, TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            if (owner is not null)
            {
                var active = await runs.LockAndCountActiveAsync(connection, owner.UserId);
                if (active + specs.Count > owner.MaxConcurrentRuns)
                    return ([], new Dictionary<string, string[]>
                    {
                        ["runs"] = [$"{owner.Name} has {active} queued or running runs; {specs.Count} more would pass the most one user may have, " +
                                    $"{owner.MaxConcurrentRuns}; wait for one to end or cancel one"],
                    });
            }
            if (before is not null) await before(connection);
            // Hangfire writes its jobs through the same (enlisted) connection, so they join our transaction.
            var client = new BackgroundJobClient(new PostgreSqlStorage(connection, _enqueueOptions));
            for (int i = 0; i < specs.Count; i++)
            {
                var id = ids[i];
                await runs.InsertAsync(connection, id, specs[i], owner?.UserId, sweepId is { } sweep ? (sweep, i) : null, retryOf);
                var jobId = client.Create(Job.FromExpression<RunJob>(job => job.ExecuteAsync(id, CancellationToken.None)), new EnqueuedState(specs[i].Queue));
                await runs.SetJobIdAsync(connection, id, jobId);
            }
            scope.Complete();
        }
        // One query for a sweep's runs (in grid order), one for a single run.
        return (sweepId is { } launchedSweep ? await runs.ListBySweepAsync(launchedSweep, cancellationToken) : [(await runs.GetAsync(ids[0], cancellationToken))!], null);
    }

    /// <summary>A new run with a finished run's spec, named "… (retry)", validated again against the method's
    /// current schema (a run's own record is never reset: its history stays as it was).</summary>
    public Task<LaunchResult> RetryAsync(Run run, RunOwner? owner = null, CancellationToken cancellationToken = default) =>
        LaunchAsync(RequestOf(run.Spec, RetryName(run.Spec.Name)), owner, run.Id, cancellationToken);

    /// <summary>Cancels a queued run and deletes its Hangfire job, so no worker picks it up; asks a running one to stop.
    /// <paramref name="by"/>: the account that asked; whether it may is the caller's decision.</summary>
    public async Task<CancelOutcome> CancelAsync(Guid id, Guid? by, CancellationToken cancellationToken = default)
    {
        var outcome = await runs.RequestCancelAsync(id, by, cancellationToken);
        if (outcome == CancelOutcome.Cancelled && await runs.GetJobIdAsync(id) is { } jobId)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            new BackgroundJobClient(new PostgreSqlStorage(connection, _enqueueOptions)).Delete(jobId);
        }
        return outcome;
    }

    public static string RetryName(string name)
    {
        const string suffix = " (retry)";
        return (name.Length + suffix.Length > RunRequestValidator.MaxNameLength ? name[..(RunRequestValidator.MaxNameLength - suffix.Length)] : name) + suffix;
    }

    /// <summary>The request that creates a run with this spec under another name: the same parameters, from the same preset.</summary>
    public static JsonObject RequestOf(RunSpec spec, string name)
    {
        var parameters = new JsonObject(spec.Parameters.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        if (spec.Preset is { } preset) parameters[Presets.ParameterName] = preset;
        return new()
        {
            ["method"] = spec.Method,
            ["name"] = name,
            ["queue"] = spec.Queue,
            ["parameters"] = parameters,
        };
    }
}

/// <summary>The created run, or the errors keyed by field; <see cref="OverLimit"/> when the spec was valid but the
/// owner's concurrent-runs limit refused it.</summary>
public sealed record LaunchResult(Run? Run, IReadOnlyDictionary<string, string[]> Errors, bool OverLimit = false);

/// <summary>The launched sweep and its runs, or the errors by field (each message naming its point); <see cref="OverLimit"/>
/// when the points were valid but would take the owner past their concurrent-runs limit.</summary>
public sealed record SweepLaunchResult(Guid? SweepId, IReadOnlyList<Run> Runs, IReadOnlyDictionary<string, string[]> Errors, bool OverLimit = false);

/// <summary>The user a run is launched for, and how many Queued or Running runs they may have at once.</summary>
public sealed record RunOwner(Guid UserId, string Name, int MaxConcurrentRuns);
