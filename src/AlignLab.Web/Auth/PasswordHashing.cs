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
}
