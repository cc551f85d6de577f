namespace AlignLab.Core.Previews;

/// <summary>Bounds the previews one node computes at once: previews are CPU work on the web node, and without a bound a
/// burst of them slows every request and holds memory for all of them. A caller waits its turn for at most
/// <see cref="Wait"/>; past that it is told to come back (the web answers 429 with Retry-After).</summary>
public sealed class PreviewGate(int concurrent, TimeSpan wait) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, concurrent), Math.Max(1, concurrent));

    public int Concurrent { get; } = Math.Max(1, concurrent);
    public TimeSpan Wait { get; } = wait;

    /// <summary>A held slot (dispose it to give it back), or null when none came free within <see cref="Wait"/>.</summary>
    public async Task<IDisposable?> EnterAsync(CancellationToken cancellationToken = default) =>
        await _slots.WaitAsync(Wait, cancellationToken) ? new Slot(_slots) : null;

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
