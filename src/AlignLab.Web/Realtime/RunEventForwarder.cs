using AlignLab.Data.Notifications;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace AlignLab.Web.Realtime;

/// <summary>The web node's end of the metrics bus: LISTENs for what workers NOTIFY and forwards it to the
/// SignalR group of the run and to this node's pages. Every web node runs one, so any number of web nodes
/// and workers on any machines see the same events.</summary>
public sealed class RunEventForwarder(
    NpgsqlDataSource dataSource,
    IHubContext<RunsHub> hub,
    RunEventStream stream,
    ILogger<RunEventForwarder> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new PgListener(dataSource, [Channels.Metrics, Channels.Runs], Forward, log).RunAsync(stoppingToken);

    private void Forward(string channel, string payload)
    {
        switch (channel)
        {
            case Channels.Metrics:
                var metrics = MetricsNotification.Parse(payload);
                stream.PublishMetrics(metrics.RunId, metrics.Points);
                _ = hub.Clients.Group(RunsHub.GroupOf(metrics.RunId)).SendAsync("metrics", metrics.RunId, metrics.Points);
                break;
            case Channels.Runs:
                var status = RunNotification.Parse(payload);
                stream.PublishStatus(status);
                _ = hub.Clients.Group(RunsHub.GroupOf(status.RunId)).SendAsync("status", status);
                _ = hub.Clients.Group(RunsHub.AllRunsGroup).SendAsync("status", status);
                break;
        }
    }
}
