using System.ComponentModel;
using AlignLab.Core.Methods;
using AlignLab.Core.Runs;
using AlignLab.Data.Metrics;
using AlignLab.Data.Runs;
using AlignLab.Core.Checkpoints;
using AlignLab.Jobs.Hosting;
using AlignLab.Jobs.Metrics;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlignLab.Jobs.Execution;

/// <summary>The Hangfire job behind every run, whatever its method: takes the run's lease, marks it Running,
/// hands the method its context and records how it ended. Errors of the method end the run as Failed with
/// the reason (no Hangfire retry: the same spec would fail again); a worker that dies or shuts down leaves
/// the run Running, and Hangfire's re-execution resumes it from its last checkpoint.</summary>
public sealed class RunJob(
    NpgsqlDataSource dataSource,
    RunRepository runs,
    MetricRepository metrics,
    MethodCatalog catalog,
    RunCancellation cancellation,
    RunArtifacts artifacts,
    IOptions<MetricsOptions> metricsOptions,
    ILogger<RunJob> log)
{
    private static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often a run's system metrics (memory, CPU) are sampled, at most: once a second, at a new step.</summary>
    private static readonly TimeSpan SystemSampleInterval = TimeSpan.FromSeconds(1);

    [DisplayName("{0}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 5, 15, 30, 60])]
    public async Task ExecuteAsync(Guid runId, CancellationToken shutdown)
    {
        await using var lease = await RunLease.TryAcquireAsync(dataSource, runId, shutdown);
        if (lease is null)
        {
            log.LogWarning("Run {Run} is being executed by another worker; this execution does nothing", runId);
            return;
        }

        var run = await runs.TryStartAsync(runId, shutdown);
        if (run is null)
        {
            // Terminal already, or cancelled while queued.
            await runs.CompleteAsync(runId, RunStatus.Cancelled, null, shutdown);
            return;
        }

        var method = catalog.Find(run.Spec.Method);
        if (method is null)
        {
            await runs.CompleteAsync(runId, RunStatus.Failed,
                $"method '{run.Spec.Method}' is not available on worker {Environment.MachineName}", shutdown);
            return;
        }

        var gpu = GpuMonitor.For(DeviceOf(run.Spec));
        if (DeviceMemory.TooSmallFor(run.Spec, gpu) is { } tooSmall)
        {
            await runs.CompleteAsync(runId, RunStatus.Failed, tooSmall, shutdown);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        using var cancelHandle = await cancellation.RegisterAsync(runId, stop);
        var options = metricsOptions.Value;
        var buffer = new MetricsBuffer(runId, metrics, TimeSpan.FromMilliseconds(options.FlushIntervalMs), options.MaxBufferedPoints, log);
        var system = new SystemMetrics(buffer, SystemSampleInterval, gpu);
        var context = new RunContext(runId, run.Spec, new MethodParameters(run.Spec.Parameters), system,
            new FileCheckpointStore(artifacts.CheckpointsOf(runId)), artifacts.RunDirectory(runId), stop.Token);

        using var keeping = new CancellationTokenSource();
        var keep = lease.KeepAsync(LeaseCheckInterval, stop, log, keeping.Token);
        (RunStatus Status, string? Error)? outcome;
        try
        {
            log.LogInformation("Run {Run} ({Method}) starts", runId, run.Spec.Method);
            await method.RunAsync(context);
            outcome = (RunStatus.Succeeded, null);
        }
        catch (OperationCanceledException) when (cancelHandle.Requested)
        {
            outcome = (RunStatus.Cancelled, "cancelled on request");
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested || lease.Lost)
        {
            outcome = null; // worker shutting down, or another worker has the run: it stays Running
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            // The run's tensors are unreachable now; collect them, so that the worker's next run finds the memory free.
            log.LogError(e, "Run {Run} ran out of memory", runId);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            outcome = (RunStatus.Failed, OutOfMemory.Describe(e, DeviceOf(run.Spec) ?? "cpu", system.GpuPeakMb, system.GpuTotalMb, run.Spec.Memory));
        }
        catch (Exception e)
        {
            log.LogError(e, "Run {Run} failed", runId);
            outcome = (RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await keeping.CancelAsync();
            await keep;
            await buffer.DisposeAsync();
        }

        if (outcome is null && lease.Lost)
        {
            log.LogWarning("Run {Run} stopped here: another worker executes it since the database came back", runId);
            return;
        }
        if (outcome is not { } end)
        {
            log.LogInformation("Run {Run} interrupted by shutdown; it resumes from its last checkpoint", runId);
            shutdown.ThrowIfCancellationRequested();
            return;
        }
        await runs.CompleteAsync(runId, end.Status, end.Error, CancellationToken.None);
        log.LogInformation("Run {Run} ended: {Status}", runId, end.Status);
    }

    /// <summary>The device a run's parameters name ("cpu", "cuda", "cuda:N"); null for a method without one.</summary>
    internal static string? DeviceOf(RunSpec spec) =>
        spec.Parameters.TryGetValue("device", out var device) && device is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text)
            ? text : null;
}
