using AlignLab.Core.Accounts;
using AlignLab.Data.Accounts;

namespace AlignLab.Web.Auth;

/// <summary>What an admin changes about someone's access, with its rules in one place for the API and /account: a role, a
/// password (the password rules), disabled or not, or deleted (the name stays, for attribution). An admin cannot demote,
/// disable or delete their own account, so that someone is always left to undo a change. Every change forgets the
/// account's cached keys on this node and ends its sessions.</summary>
public sealed class AccountAdministration(AccountRepository accounts, ApiKeyCache keys, PasswordHashing passwords)
{
    /// <summary>The changed account, or the errors by field; (null, no errors) when there is no such account.</summary>
    public async Task<(UserAccount? Account, Dictionary<string, string[]> Errors)> ChangeAsync(Guid actor, Guid id, string? roleName, bool? disabled,
        string? password, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        Role? role = null;
        if (roleName is not null)
        {
            if (Roles.TryParse(roleName, out var parsed)) role = parsed;
            else errors["role"] = [$"must be one of {string.Join(", ", Enum.GetValues<Role>().Select(r => r.Name()))}"];
        }
        if (password is not null && AccountRules.CheckPassword(password) is { } passwordError) errors["password"] = [passwordError];
        if (id == actor && (role is not null && role != Role.Admin || disabled == true))
            errors[role is not null ? "role" : "disabled"] = ["you cannot demote or disable your own account; ask another admin"];
        if (errors.Count > 0) return (null, errors);
        var updated = await accounts.UpdateUserAsync(id, role, disabled, password is { } p ? passwords.Hash(p) : null, cancellationToken);
        if (updated is not null) keys.ForgetUser(id);
        return (updated, errors);
    }

    /// <summary>Found: whether there was such an account; the errors by field when the deletion was refused.</summary>
    public async Task<(bool Found, Dictionary<string, string[]> Errors)> DeleteAsync(Guid actor, Guid id, CancellationToken cancellationToken = default)
    {
        if (id == actor) return (true, new() { ["id"] = ["you cannot delete your own account; ask another admin"] });
        if (!await accounts.DeleteUserAsync(id, cancellationToken)) return (false, []);
        keys.ForgetUser(id);
        return (true, []);
    }
}
