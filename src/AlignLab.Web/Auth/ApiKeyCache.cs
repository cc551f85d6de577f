using System.Collections.Concurrent;
using AlignLab.Data.Accounts;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>Keys this node validated lately, so that a script's every request does not ask the database again:
/// an entry lives <see cref="AuthOptions.KeyCacheSeconds"/>. Revoking a key here drops it at once; another node
/// notices within that time (0 turns the cache off).</summary>
public sealed class ApiKeyCache(AccountRepository accounts, IOptionsMonitor<AuthOptions> options, TimeProvider clock)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Identity, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var lifetime = TimeSpan.FromSeconds(options.CurrentValue.KeyCacheSeconds);
        var hash = Convert.ToHexString(ApiKeySecret.Hash(key));
        var now = clock.GetUtcNow();
        if (lifetime > TimeSpan.Zero && _entries.TryGetValue(hash, out var cached) && cached.Expires > now) return cached.Identity;
        var identity = await accounts.FindActiveKeyAsync(key, cancellationToken);
        if (identity is null) _entries.TryRemove(hash, out _);
        else if (lifetime > TimeSpan.Zero)
        {
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[hash] = (identity, now + lifetime);
        }
        return identity;
    }

    /// <summary>Forgets a revoked key on this node.</summary>
    public void Forget(Guid keyId)
    {
        foreach (var (hash, entry) in _entries)
            if (entry.Identity.KeyId == keyId) _entries.TryRemove(hash, out _);
    }
}
