using AlignLab.Core.Accounts;
using Dapper;
using Npgsql;

namespace AlignLab.Data.Accounts;

/// <summary>The users and api_keys tables. Password hashes are made and checked by the caller; this class only
/// stores them.</summary>
public sealed class AccountRepository(NpgsqlDataSource dataSource)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Everything of an account but its password hash, which only sign-in reads.
    private const string UserColumns = "id, name, role, created_at, disabled_at";

    // Accounts that may act: not disabled, not deleted.
    private const string Active = "disabled_at IS NULL AND deleted_at IS NULL";

    public async Task<bool> AnyUserAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM users)", cancellationToken: cancellationToken));
    }

    /// <summary>Creates the first account, an admin, unless any account exists (then null); two concurrent
    /// calls cannot both succeed.</summary>
    public async Task<UserAccount?> CreateFirstAdminAsync(string name, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM users)", transaction: transaction, cancellationToken: cancellationToken)))
            return null;
        var user = await InsertUserAsync(connection, transaction, name, passwordHash, Role.Admin, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>A new account; null when the name is taken.</summary>
    public async Task<UserAccount?> CreateUserAsync(string name, string passwordHash, Role role, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try { return await InsertUserAsync(connection, null, name, passwordHash, role, cancellationToken); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation) { return null; }
    }

    public async Task<(UserAccount User, string PasswordHash)?> FindByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns}, password_hash FROM users WHERE name = @name AND deleted_at IS NULL", new { name }, cancellationToken: cancellationToken));
        return row is null ? null : (row.ToAccount(), row.Password_Hash);
    }

    /// <summary>The account's current session stamp; null when the account is disabled or no longer exists.</summary>
    public async Task<Guid?> SessionStampAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            $"SELECT session_stamp FROM users WHERE id = @userId AND {Active}", new { userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Changes what is given of an account (role, disabled, password hash) in one statement, and ends its sessions
    /// (a new session stamp): the next request of a cookie signed in before carries the old role or must not be let in.
    /// Null when there is no such account.</summary>
    public async Task<UserAccount?> UpdateUserAsync(Guid id, Role? role, bool? disabled, string? passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"""
            UPDATE users SET role = coalesce(@role, role), password_hash = coalesce(@passwordHash, password_hash),
                disabled_at = CASE WHEN @disabled::boolean IS NULL THEN disabled_at WHEN @disabled THEN coalesce(disabled_at, now()) END,
                session_stamp = gen_random_uuid()
            WHERE id = @id AND deleted_at IS NULL RETURNING {UserColumns}
            """, new { id, role = role?.Name(), disabled, passwordHash }, cancellationToken: cancellationToken));
        return row?.ToAccount();
    }

    /// <summary>Deletes an account's access for good, in one transaction: no password, every key revoked, sessions ended.
    /// Its row and name stay, so its runs and annotations stay attributed; the name cannot be taken again. False when
    /// there is no such account.</summary>
    public async Task<bool> DeleteUserAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET deleted_at = now(), password_hash = '', session_stamp = gen_random_uuid() WHERE id = @id AND deleted_at IS NULL",
            new { id }, transaction, cancellationToken: cancellationToken)) == 1;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = @id", new { id }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Draws a new session stamp, which ends every signed-in session of the account.</summary>
    public async Task EndSessionsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET session_stamp = gen_random_uuid() WHERE id = @userId", new { userId }, cancellationToken: cancellationToken));
    }

    public async Task<UserAccount?> GetUserAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE id = @id AND deleted_at IS NULL", new { id }, cancellationToken: cancellationToken));
        return row?.ToAccount();
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE deleted_at IS NULL ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToAccount()).ToList();
    }

    /// <summary>A new key for <paramref name="owner"/>: the secret (to show once) and what is stored of it.</summary>
    public async Task<(string Key, ApiKeyInfo Info)> IssueKeyAsync(UserAccount owner, string name, Role role, CancellationToken cancellationToken = default)
    {
        var key = ApiKeySecret.Generate();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = Guid.CreateVersion7();
        var created = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "INSERT INTO api_keys (id, user_id, name, prefix, hash, role) VALUES (@id, @userId, @name, @prefix, @hash, @role) RETURNING created_at",
            new { id, userId = owner.Id, name, prefix = ApiKeySecret.Prefix(key), hash = ApiKeySecret.Hash(key), role = role.Name() },
            cancellationToken: cancellationToken));
        return (key, new ApiKeyInfo(id, owner.Id, owner.Name, name, ApiKeySecret.Prefix(key), role, Utc(created), null, null));
    }

    /// <summary>The identity behind an unrevoked key; its role is the lower of the key's and its owner's.</summary>
    public async Task<ApiKeyIdentity?> FindActiveKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid KeyId, Guid UserId, string UserName, string KeyRole, string UserRole, DateTime? LastUsed)>(
            new CommandDefinition(
                """
                SELECT k.id, k.user_id, u.name, k.role, u.role, k.last_used_at FROM api_keys k JOIN users u ON u.id = k.user_id
                WHERE k.hash = @hash AND k.revoked_at IS NULL AND u.disabled_at IS NULL AND u.deleted_at IS NULL
                """, new { hash = ApiKeySecret.Hash(key) }, cancellationToken: cancellationToken));
        if (row.KeyId == Guid.Empty) return null;
        if (row.LastUsed is not { } last || DateTime.UtcNow - last > LastUsedResolution)
            await connection.ExecuteAsync(new CommandDefinition("UPDATE api_keys SET last_used_at = now() WHERE id = @id",
                new { id = row.KeyId }, cancellationToken: cancellationToken));
        var role = (Role)Math.Min((int)Roles.Parse(row.KeyRole), (int)Roles.Parse(row.UserRole));
        return new ApiKeyIdentity(row.KeyId, row.UserId, row.UserName, role);
    }

    /// <summary>Keys of one user, or of everyone when <paramref name="userId"/> is null; newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(Guid? userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            """
            SELECT k.id, k.user_id, u.name AS user_name, k.name, k.prefix, k.role, k.created_at, k.last_used_at, k.revoked_at
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE @userId::uuid IS NULL OR k.user_id = @userId ORDER BY k.created_at DESC, k.id
            """, new { userId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo()).ToList();
    }

    /// <summary>Revokes a key of <paramref name="ownerId"/> (any user's when null). False when there is no such
    /// key; revoking a revoked key is a no-op that returns true.</summary>
    public async Task<bool> RevokeKeyAsync(Guid keyId, Guid? ownerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = @keyId AND (@ownerId::uuid IS NULL OR user_id = @ownerId)",
            new { keyId, ownerId }, cancellationToken: cancellationToken)) == 1;
    }

    private static async Task<UserAccount> InsertUserAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name,
        string passwordHash, Role role, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var created = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "INSERT INTO users (id, name, password_hash, role) VALUES (@id, @name, @passwordHash, @role) RETURNING created_at",
            new { id, name, passwordHash, role = role.Name() }, transaction, cancellationToken: cancellationToken));
        return new UserAccount(id, name, role, Utc(created));
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private sealed class UserRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTime Created_At { get; init; }
        public DateTime? Disabled_At { get; init; }
        public string Password_Hash { get; init; } = "";

        public UserAccount ToAccount() => new(Id, Name, Roles.Parse(Role), Utc(Created_At), Disabled_At is { } d ? Utc(d) : null);
    }

    private sealed class KeyRow
    {
        public Guid Id { get; init; }
        public Guid User_Id { get; init; }
        public string User_Name { get; init; } = "";
        public string Name { get; init; } = "";
        public string Prefix { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTime Created_At { get; init; }
        public DateTime? Last_Used_At { get; init; }
        public DateTime? Revoked_At { get; init; }

        public ApiKeyInfo ToInfo() => new(Id, User_Id, User_Name, Name, Prefix, Roles.Parse(Role), Utc(Created_At),
            Last_Used_At is { } u ? Utc(u) : null, Revoked_At is { } r ? Utc(r) : null);
    }
}
