using System.Diagnostics;
using AlignLab.Core.Metrics;
using AlignLab.Data.Metrics;
using AlignLab.Data.Notifications;
using AlignLab.Data.Runs;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace AlignLab.Web.Realtime;

/// <summary>The web node's end of the metrics bus: LISTENs for what workers NOTIFY and forwards it to the
/// SignalR group of the run and to this node's pages. Every web node runs one, so any number of web nodes
/// and workers on any machines see the same events.
/// NOTIFY is not stored: what is sent while the LISTEN connection is down (the database restarting) never
/// arrives. So after every reconnect the forwarder reads what it missed from the tables (the points after
/// the last forwarded step of each series, and the current status) of the runs that were live meanwhile.</summary>
public sealed class RunEventForwarder(
    NpgsqlDataSource dataSource,
    IHubContext<RunsHub> hub,
    RunEventStream stream,
    RunRepository runs,
    MetricRepository metrics,
    ILogger<RunEventForwarder> log) : BackgroundService
{
    // Covers the delay between the last event this node heard and the moment the connection actually broke.
    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(30);

    private readonly ForwardedPositions _forwarded = new();
    private readonly Stopwatch _sinceLastHeard = new();
    private bool _connectedBefore;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new PgListener(dataSource, [Channels.Metrics, Channels.Runs], Forward, log, CatchUpAsync).RunAsync(stoppingToken);

    private void Forward(string channel, string payload)
    {
        _sinceLastHeard.Restart();
        switch (channel)
        {
            case Channels.Metrics:
                var metrics = MetricsNotification.Parse(payload);
                ForwardMetrics(metrics.RunId, _forwarded.Advance(metrics.RunId, metrics.Points));
                break;
            case Channels.Runs:
                ForwardStatus(RunNotification.Parse(payload));
                break;
        }
    }

    private void ForwardMetrics(Guid runId, IReadOnlyList<MetricPoint> points)
    {
        if (points.Count == 0) return;
        stream.PublishMetrics(runId, points);
        _ = hub.Clients.Group(RunsHub.GroupOf(runId)).SendAsync("metrics", runId, points);
    }

    private void ForwardStatus(RunNotification status)
    {
        _forwarded.RecordStatus(status.RunId, status.Status);
        stream.PublishStatus(status);
        _ = hub.Clients.Group(RunsHub.GroupOf(status.RunId)).SendAsync("status", status);
        _ = hub.Clients.Group(RunsHub.AllRunsGroup).SendAsync("status", status);
    }

    /// <summary>Runs on the listening connection before it hands out notifications, so the ones queued during
    /// the catch-up come after it and <see cref="ForwardedPositions"/> drops what it already delivered.</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var first = !_connectedBefore;
        var window = first ? TimeSpan.Zero : _sinceLastHeard.Elapsed + CatchUpMargin;
        var live = await runs.ActiveWithinAsync(window, cancellationToken);
        var lastSteps = (await metrics.LastStepsAsync(live.Select(r => r.Id).ToList(), cancellationToken)).ToLookup(s => s.RunId);
        var missed = 0;
        foreach (var run in live)
        {
            if (first)
            {
                _forwarded.Baseline(run.Id, run.Status, lastSteps[run.Id].Select(s => (s.Name, s.Step)));
                continue;
            }
            if (_forwarded.Finished(run.Id, run.Status)) continue;
            foreach (var series in lastSteps[run.Id])
            {
                var after = _forwarded.LastStep(run.Id, series.Name);
                if (after >= series.Step) continue;
                var points = _forwarded.Advance(run.Id,
                    await metrics.ListAsync(run.Id, after, series.Name, cancellationToken));
                missed += points.Count;
                ForwardMetrics(run.Id, points);
            }
            ForwardStatus(new RunNotification(run.Id, run.Status, run.Step, run.TotalSteps, run.Error));
        }
        if (!first) log.LogInformation("Reconnected to the metrics bus; forwarded {Points} missed points of {Runs} live runs", missed, live.Count);
        _connectedBefore = true;
        _sinceLastHeard.Restart();
    }
}
