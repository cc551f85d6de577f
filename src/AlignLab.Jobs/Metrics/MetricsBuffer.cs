using AlignLab.Core.Metrics;
using AlignLab.Data.Metrics;
using Microsoft.Extensions.Logging;

namespace AlignLab.Jobs.Metrics;

/// <summary>The metrics sink of one running job. <see cref="Report"/> only appends to memory; a background
/// loop writes what accumulated every flush interval as one batch. A failed write (database restarting)
/// keeps the points and retries, so nothing is lost; the table's uniqueness makes a repeated write harmless.</summary>
public sealed class MetricsBuffer : IMetricsSink, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly Guid _runId;
    private readonly MetricRepository _repository;
    private readonly TimeSpan _interval;
    private readonly int _capacity;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private List<MetricPoint> _pending = [];
    private Progress? _progress;
    private long _dropped;

    public MetricsBuffer(Guid runId, MetricRepository repository, TimeSpan interval, int capacity, ILogger log)
    {
        _runId = runId;
        _repository = repository;
        _interval = interval;
        _capacity = capacity;
        _log = log;
        _loop = Task.Run(LoopAsync);
    }

    public void Report(long step, string name, double value)
    {
        var point = new MetricPoint(step, name, value, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            if (_pending.Count >= _capacity)
            {
                // Database unreachable for long: drop the oldest tenth at once (amortised O(1) per point).
                var drop = Math.Max(1, _capacity / 10);
                _pending.RemoveRange(0, drop);
                _dropped += drop;
            }
            _pending.Add(point);
        }
    }

    public void ReportProgress(long step, long totalSteps)
    {
        lock (_gate) _progress = new Progress(step, totalSteps);
    }

    /// <summary>Writes everything reported so far; retries until written or <paramref name="cancellationToken"/> fires.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!await TryWriteAsync(cancellationToken))
        {
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, MaxRetryDelay.TotalMilliseconds));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await FlushAsync(deadline.Token); }
        catch (OperationCanceledException) { _log.LogError("Run {Run}: metric points could not be written before the job ended", _runId); }
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var delay = _interval;
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(delay, _stop.Token); }
            catch (OperationCanceledException) { return; }
            // An in-flight write is not interrupted by stopping; DisposeAsync flushes the rest.
            delay = await TryWriteAsync(CancellationToken.None)
                ? _interval
                : TimeSpan.FromMilliseconds(Math.Min(Math.Max(delay.TotalMilliseconds * 2, 200), MaxRetryDelay.TotalMilliseconds));
        }
    }

    private readonly SemaphoreSlim _writing = new(1, 1);

    private async Task<bool> TryWriteAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(CancellationToken.None);
        try
        {
            List<MetricPoint> batch;
            Progress? progress;
            lock (_gate)
            {
                if (_pending.Count == 0 && _progress is null) return true;
                batch = _pending;
                progress = _progress;
                _pending = [];
                _progress = null;
            }
            try
            {
                await _repository.WriteBatchAsync(_runId, batch, progress, cancellationToken);
                if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
                    _log.LogWarning("Run {Run}: {Count} metric points were dropped while the database was unreachable", _runId, dropped);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning("Run {Run}: writing {Count} metric points failed ({Message}); will retry", _runId, batch.Count, e.Message);
                Requeue(batch, progress);
                return false;
            }
            catch (OperationCanceledException)
            {
                Requeue(batch, progress);
                throw;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private void Requeue(List<MetricPoint> batch, Progress? progress)
    {
        lock (_gate)
        {
            batch.AddRange(_pending);
            _pending = batch;
            _progress ??= progress;
        }
    }
}
