using AlignLab.Core.Accounts;

namespace AlignLab.Data.Accounts;

/// <param name="DisabledAt">When an admin disabled the account (it cannot sign in, its sessions and keys are refused).</param>
public sealed record UserAccount(Guid Id, string Name, Role Role, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt = null)
{
    public bool Disabled => DisabledAt is not null;
}

/// <summary>An API key as listed: never the key itself, which is shown once at creation.</summary>
public sealed record ApiKeyInfo(Guid Id, Guid UserId, string UserName, string Name, string Prefix, Role Role,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>Who a presented, unrevoked key authenticates, and with which role.</summary>
public sealed record ApiKeyIdentity(Guid KeyId, Guid UserId, string UserName, Role Role);
