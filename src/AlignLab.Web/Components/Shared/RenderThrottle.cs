namespace AlignLab.Web.Components.Shared;

/// <summary>Coalesces live updates into at most one render per <c>period</c>: events call <see cref="MarkDirty"/>
/// from any thread; a timer renders on the component's dispatcher when something changed since the last tick.</summary>
public sealed class RenderThrottle : IDisposable
{
    private readonly PeriodicTimer _timer;
    private volatile bool _dirty;

    /// <param name="invokeAsync">The component's InvokeAsync.</param>
    /// <param name="render">What to do on the dispatcher (usually StateHasChanged, perhaps after refreshing derived state).</param>
    public RenderThrottle(Func<Action, Task> invokeAsync, Action render, TimeSpan? period = null)
    {
        _timer = new PeriodicTimer(period ?? TimeSpan.FromMilliseconds(200));
        _ = LoopAsync(invokeAsync, render);
    }

    public void MarkDirty() => _dirty = true;

    private async Task LoopAsync(Func<Action, Task> invokeAsync, Action render)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync())
            {
                if (!_dirty) continue;
                _dirty = false;
                await invokeAsync(render);
            }
        }
        catch (ObjectDisposedException) { } // the component went away mid-render
    }

    public void Dispose() => _timer.Dispose();
}
