using System.Collections.Concurrent;

namespace AlignLab.Web.Auth;

/// <summary>Slows down password guessing, per account name and per client address, on this node. After
/// <see cref="FreeFailures"/> wrong passwords for a name (or <see cref="FreeFailuresPerAddress"/> from one address) each
/// further failure locks sign-in for that name or address for twice as long as the last, from
/// AlignLab:Auth:SignInFirstLockSeconds (1 s) up to
/// <see cref="MaxLock"/>; while locked even the right password is refused. A success clears the name's count. Counts are
/// forgotten <see cref="Memory"/> after the last failure. Web nodes count separately.</summary>
public sealed class SignInThrottle(TimeProvider time, double firstLockSeconds = 1)
{

    public const int FreeFailures = 5;
    public const int FreeFailuresPerAddress = 20;
    public static readonly TimeSpan MaxLock = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private sealed record Entry(int Failures, DateTimeOffset LockedUntil, DateTimeOffset LastFailure);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long sign-in stays refused for this name or address; null when it is allowed.</summary>
    public TimeSpan? LockedFor(string name, string address)
    {
        var now = time.GetUtcNow();
        var until = new[] { NameKey(name), AddressKey(address) }
            .Select(key => _entries.TryGetValue(key, out var e) ? e.LockedUntil : DateTimeOffset.MinValue).Max();
        return until > now ? until - now : null;
    }

    public void Failed(string name, string address)
    {
        var now = time.GetUtcNow();
        Count(NameKey(name), FreeFailures, now);
        Count(AddressKey(address), FreeFailuresPerAddress, now);
        if (_entries.Count > 100_000)
            foreach (var (key, entry) in _entries)
                if (now - entry.LastFailure > Memory) _entries.TryRemove(key, out _);
    }

    public void Succeeded(string name) => _entries.TryRemove(NameKey(name), out _);

    private void Count(string key, int free, DateTimeOffset now) =>
        _entries.AddOrUpdate(key, _ => new Entry(1, DateTimeOffset.MinValue, now), (_, e) =>
        {
            var failures = now - e.LastFailure > Memory ? 1 : e.Failures + 1;
            var over = failures - free;
            var lockFor = over <= 0 ? TimeSpan.Zero
                : TimeSpan.FromSeconds(Math.Min(MaxLock.TotalSeconds, firstLockSeconds * Math.Pow(2, Math.Min(over - 1, 20))));
            return new Entry(failures, now + lockFor, now);
        });

    private static string NameKey(string name) => "name:" + name.ToLowerInvariant();
    private static string AddressKey(string address) => "address:" + address;
}
