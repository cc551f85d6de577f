using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Web.Realtime;

/// <summary>What this web node has forwarded so far: the last step of every metric series of a live run and
/// the last status of every run. Series grow by step, so a point at or before the last forwarded step of its
/// series was forwarded already; that is how a catch-up after a lost LISTEN connection and the notifications
/// queued behind it never deliver a point twice. A finished run keeps only its final status.</summary>
public sealed class ForwardedPositions
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, Dictionary<string, long>> _lastStep = [];
    private readonly Dictionary<Guid, RunStatus> _lastStatus = [];

    /// <summary>Records a run's state as already seen, forwarding nothing (what a node finds when it starts).</summary>
    public void Baseline(Guid runId, RunStatus status, IEnumerable<(string Name, long Step)> series)
    {
        lock (_gate)
        {
            _lastStatus[runId] = status;
            var last = SeriesOf(runId);
            foreach (var (name, step) in series) last[name] = Math.Max(step, last.GetValueOrDefault(name, long.MinValue));
        }
    }

    /// <summary>The last forwarded step of a series; null when none of it was.</summary>
    public long? LastStep(Guid runId, string name)
    {
        lock (_gate) return _lastStep.TryGetValue(runId, out var series) && series.TryGetValue(name, out var step) ? step : null;
    }

    /// <summary>Whether everything of the run was forwarded, up to its final <paramref name="status"/>.</summary>
    public bool Finished(Guid runId, RunStatus status)
    {
        lock (_gate) return status.IsTerminal() && _lastStatus.TryGetValue(runId, out var last) && last == status;
    }

    /// <summary>The points not forwarded yet, in order, now counted as forwarded.</summary>
    public IReadOnlyList<MetricPoint> Advance(Guid runId, IReadOnlyList<MetricPoint> points)
    {
        lock (_gate)
        {
            var series = SeriesOf(runId);
            var fresh = new List<MetricPoint>(points.Count);
            foreach (var point in points)
            {
                if (series.TryGetValue(point.Name, out var last) && point.Step <= last) continue;
                series[point.Name] = point.Step;
                fresh.Add(point);
            }
            return fresh;
        }
    }

    /// <summary>Records the run's forwarded status. A final status forgets the run's series: no point follows it.</summary>
    public void RecordStatus(Guid runId, RunStatus status)
    {
        lock (_gate)
        {
            _lastStatus[runId] = status;
            if (status.IsTerminal()) _lastStep.Remove(runId);
        }
    }

    private Dictionary<string, long> SeriesOf(Guid runId)
    {
        if (!_lastStep.TryGetValue(runId, out var series)) _lastStep[runId] = series = new(StringComparer.Ordinal);
        return series;
    }
}
