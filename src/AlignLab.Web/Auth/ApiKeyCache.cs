using System.Collections.Concurrent;
using AlignLab.Data.Accounts;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>Keys this node validated lately, so that a script's every request does not ask the database again:
/// an entry lives <see cref="AuthOptions.KeyCacheSeconds"/>. Revoking a key through this node drops it at once (a
/// lookup that was under way when it was revoked does not put it back); another node notices within that time
/// (0 turns the cache off).</summary>
public sealed class ApiKeyCache(AccountRepository accounts, IOptionsMonitor<AuthOptions> options, TimeProvider clock)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Identity, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private long _revocations;

    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var lifetime = TimeSpan.FromSeconds(options.CurrentValue.KeyCacheSeconds);
        var hash = Convert.ToHexString(ApiKeySecret.Hash(key));
        var now = clock.GetUtcNow();
        if (lifetime > TimeSpan.Zero && _entries.TryGetValue(hash, out var cached) && cached.Expires > now) return cached.Identity;
        var revocations = Interlocked.Read(ref _revocations);
        var identity = await accounts.FindActiveKeyAsync(key, cancellationToken);
        if (identity is null) _entries.TryRemove(hash, out _);
        else if (lifetime > TimeSpan.Zero && Interlocked.Read(ref _revocations) == revocations)
        {
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[hash] = (identity, now + lifetime);
        }
        return identity;
    }

    /// <summary>Revokes a key of <paramref name="ownerId"/> (anyone's when null) and forgets it on this node; false when
    /// there is no such key.</summary>
    public async Task<bool> RevokeAsync(Guid keyId, Guid? ownerId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _revocations);
        if (!await accounts.RevokeKeyAsync(keyId, ownerId, cancellationToken)) return false;
        Forget(keyId);
        return true;
    }

    /// <summary>Drops every key of an account on this node (disabled or deleted: its keys are refused from now on here, and
    /// on other nodes within the cache time).</summary>
    public void ForgetUser(Guid userId)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var (hash, entry) in _entries)
            if (entry.Identity.UserId == userId) _entries.TryRemove(hash, out _);
    }

    private void Forget(Guid keyId)
    {
        foreach (var (hash, entry) in _entries)
            if (entry.Identity.KeyId == keyId) _entries.TryRemove(hash, out _);
    }
}
