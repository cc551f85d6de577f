using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Data.Notifications;
using AlignLab.Web.Realtime;

namespace AlignLab.Web.Components.Shared;

/// <summary>A page's live view of some runs' metrics and status, shared by the run page and Compare: it subscribes
/// before the page loads its snapshot (so nothing falls between the two), merges points by run, metric and step, and
/// coalesces updates into at most five renders a second. Readers and writers meet under one lock; the render
/// callback runs under it too, so a chart never draws a series that is changing.</summary>
public sealed class LiveRunMetrics : IDisposable
{
    private readonly RunEventStream _events;
    private readonly object _gate = new();
    private readonly Dictionary<Guid, List<MetricSeries>> _series = [];
    private readonly Dictionary<Guid, RunStatus> _statuses = [];
    private readonly Dictionary<Guid, DateTimeOffset> _origins = [];
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Action<RunNotification>? _onStatus;
    private readonly RenderThrottle _throttle;

    /// <param name="invokeAsync">The component's InvokeAsync.</param>
    /// <param name="render">Runs on the dispatcher, under the lock, when something changed (usually StateHasChanged).</param>
    /// <param name="onStatus">Called as each status notification arrives, on the notifying thread.</param>
    public LiveRunMetrics(RunEventStream events, Func<Action, Task> invokeAsync, Action render, Action<RunNotification>? onStatus = null)
    {
        _events = events;
        _onStatus = onStatus;
        _throttle = new RenderThrottle(invokeAsync, () => { lock (_gate) render(); });
    }

    /// <summary>Drops every run and its series, and subscribes to these (before the caller loads their snapshots).</summary>
    public void Watch(IEnumerable<Guid> runs)
    {
        Unsubscribe();
        lock (_gate) { _series.Clear(); _statuses.Clear(); _origins.Clear(); }
        foreach (var run in runs)
            _subscriptions.Add(_events.Subscribe(run, points => Add(run, points), status =>
            {
                lock (_gate) _statuses[run] = status.Status;
                _onStatus?.Invoke(status);
                _throttle.MarkDirty();
            }));
    }

    /// <summary>Merges points (a snapshot or a live batch) into the run's series; a step already held is overwritten.
    /// The run's earliest point is every series' wall-time origin.</summary>
    public void Add(Guid run, IReadOnlyList<MetricPoint> points)
    {
        lock (_gate)
        {
            var series = _series.TryGetValue(run, out var s) ? s : _series[run] = [];
            var origin = _origins.TryGetValue(run, out var o) ? o : DateTimeOffset.MaxValue;
            foreach (var point in points)
            {
                var target = series.FirstOrDefault(m => m.Name == point.Name);
                if (target is null) series.Add(target = new MetricSeries(point.Name));
                target.Set(point.Step, point.Value, point.Time);
                if (point.Time < origin) origin = point.Time;
            }
            if (points.Count > 0)
            {
                _origins[run] = origin;
                foreach (var line in series) line.Origin = origin;
            }
        }
        _throttle.MarkDirty();
    }

    /// <summary>The run's series in the order their first point arrived.</summary>
    public IReadOnlyList<MetricSeries> SeriesOf(Guid run)
    {
        lock (_gate) return _series.TryGetValue(run, out var s) ? [.. s] : [];
    }

    /// <summary>A copy of one of the run's series under another name, taken under the lock; null when it has no points.</summary>
    public MetricSeries? Copy(Guid run, string name, string label)
    {
        lock (_gate)
        {
            if (!_series.TryGetValue(run, out var s) || s.FirstOrDefault(m => m.Name == name) is not { Count: > 0 } line) return null;
            var copy = new MetricSeries(label) { Origin = line.Origin };
            for (int i = 0; i < line.Count; i++) copy.Set(line.Steps[i], line.Values[i], line.Times[i]);
            return copy;
        }
    }

    /// <summary>The latest step of one of the run's series and its value; null when it has none.</summary>
    public (long Step, double Value)? LastPoint(Guid run, string name)
    {
        lock (_gate)
            return _series.TryGetValue(run, out var s) && s.FirstOrDefault(m => m.Name == name) is { Count: > 0 } m
                ? (m.Steps[^1], m.Values[^1])
                : null;
    }

    /// <summary>Every metric name of every run, in ordinal order.</summary>
    public List<string> Names()
    {
        lock (_gate) return [.. _series.Values.SelectMany(s => s.Select(m => m.Name)).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The status the stream last reported for the run; null until it reports one.</summary>
    public RunStatus? StatusOf(Guid run)
    {
        lock (_gate) return _statuses.TryGetValue(run, out var status) ? status : null;
    }

    private void Unsubscribe()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }

    public void Dispose()
    {
        Unsubscribe();
        _throttle.Dispose();
    }
}
