using AlignLab.Data.Accounts;
using Microsoft.AspNetCore.Identity;

namespace AlignLab.Web.Auth;

/// <summary>ASP.NET Core Identity's password hasher (PBKDF2, salted, versioned format) for AlignLab accounts.</summary>
public sealed class PasswordHashing
{
    private readonly PasswordHasher<UserAccount> _hasher = new();

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public bool Verify(string hash, string password) =>
        _hasher.VerifyHashedPassword(null!, hash, password) is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;

    private readonly Lazy<string> _dummy = new(() => new PasswordHasher<UserAccount>().HashPassword(null!, Guid.NewGuid().ToString()));

    /// <summary>Takes as long as checking a real account's password, for a name that has no account: the time of a wrong
    /// answer must not tell which names exist. Always false.</summary>
    public bool VerifyUnknownAccount(string password)
    {
        Verify(_dummy.Value, password);
        return false;
    }
}
