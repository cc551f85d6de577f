using System.Diagnostics;

namespace AlignLab.Testing;

/// <summary>Polls a condition until it holds or a deadline passes; the failure message says what was awaited.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what,
        int pollMilliseconds = 25)
    {
        var clock = Stopwatch.StartNew();
        T last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}; last value: {last}");
            await Task.Delay(pollMilliseconds);
            last = await probe();
        }
        return last;
    }
}
