using System.Collections.Concurrent;
using AlignLab.Data.Notifications;
using AlignLab.Data.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlignLab.Jobs.Execution;

/// <summary>Turns "cancel run X" requests, which may come from any web node, into cancellation of the job
/// running X in this process. Requests arrive by NOTIFY on <see cref="Channels.Cancel"/>; after every
/// (re)connect and on registration the database is asked too, so a request sent while this process was not
/// listening is not missed.</summary>
public sealed class RunCancellation(NpgsqlDataSource dataSource, RunRepository runs, ILogger<RunCancellation> log)
    : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, Handle> _running = new();

    /// <summary>Links a running job's token source to cancel requests for its run.</summary>
    public async Task<Handle> RegisterAsync(Guid runId, CancellationTokenSource source)
    {
        var registration = new Handle(this, runId, source);
        _running[runId] = registration;
        if (await runs.IsCancelRequestedAsync(runId)) registration.Cancel();
        return registration;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new PgListener(dataSource, [Channels.Cancel], OnNotification, log, CatchUpAsync).RunAsync(stoppingToken);

    private void OnNotification(string channel, string payload)
    {
        if (Guid.TryParse(payload, out var runId) && _running.TryGetValue(runId, out var registration))
            registration.Cancel();
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        foreach (var (runId, registration) in _running)
            if (await runs.IsCancelRequestedAsync(runId, cancellationToken))
                registration.Cancel();
    }

    /// <summary>A running job's link to cancel requests; dispose when the job ends.</summary>
    public sealed class Handle(RunCancellation owner, Guid runId, CancellationTokenSource source) : IDisposable
    {
        /// <summary>Whether the user asked this run to stop (as opposed to the worker shutting down).</summary>
        public bool Requested { get; private set; }

        public void Cancel()
        {
            Requested = true;
            try { source.Cancel(); }
            catch (ObjectDisposedException) { }
        }

        public void Dispose() => owner._running.TryRemove(new KeyValuePair<Guid, Handle>(runId, this));
    }
}
