using System.Collections.Concurrent;
using AlignLab.Core.Metrics;
using AlignLab.Data.Notifications;

namespace AlignLab.Web.Realtime;

/// <summary>In-process fan-out of run events for this web node's interactive pages (Blazor circuits);
/// external clients get the same events through <see cref="RunsHub"/>.</summary>
public sealed class RunEventStream
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _byRun = new();
    private readonly ConcurrentDictionary<Subscription, byte> _all = new();

    /// <summary>Events of one run.</summary>
    public IDisposable Subscribe(Guid runId, Action<IReadOnlyList<MetricPoint>> onMetrics, Action<RunNotification> onStatus)
    {
        var subscription = new Subscription(this, runId, onMetrics, onStatus);
        _byRun.GetOrAdd(runId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Status changes of every run (runs list).</summary>
    public IDisposable SubscribeAll(Action<RunNotification> onStatus)
    {
        var subscription = new Subscription(this, null, _ => { }, onStatus);
        _all.TryAdd(subscription, 0);
        return subscription;
    }

    public void PublishMetrics(Guid runId, IReadOnlyList<MetricPoint> points)
    {
        if (_byRun.TryGetValue(runId, out var subscribers))
            foreach (var s in subscribers.Keys) s.OnMetrics(points);
    }

    public void PublishStatus(RunNotification status)
    {
        if (_byRun.TryGetValue(status.RunId, out var subscribers))
            foreach (var s in subscribers.Keys) s.OnStatus(status);
        foreach (var s in _all.Keys) s.OnStatus(status);
    }

    private sealed class Subscription(RunEventStream owner, Guid? runId,
        Action<IReadOnlyList<MetricPoint>> onMetrics, Action<RunNotification> onStatus) : IDisposable
    {
        public Action<IReadOnlyList<MetricPoint>> OnMetrics { get; } = onMetrics;
        public Action<RunNotification> OnStatus { get; } = onStatus;

        public void Dispose()
        {
            if (runId is { } id)
            {
                if (owner._byRun.TryGetValue(id, out var set)) set.TryRemove(this, out _);
            }
            else owner._all.TryRemove(this, out _);
        }
    }
}
