using System.Security.Claims;
using AlignLab.Core.Accounts;
using AlignLab.Data.Accounts;

namespace AlignLab.Web.Auth;

/// <summary>The claims of a signed-in person or an API key, and reading them back.</summary>
public static class Principals
{
    /// <param name="sessionStamp">The account's session stamp when the session began: the session ends when it changes.</param>
    public static ClaimsPrincipal For(UserAccount user, string scheme, Guid sessionStamp) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
        new Claim(ClaimTypes.Name, user.Name),
        new Claim(ClaimTypes.Role, user.Role.Name()),
        new Claim(AuthSchemes.SessionStampClaim, sessionStamp.ToString()),
    ], scheme));

    public static Guid? SessionStamp(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AuthSchemes.SessionStampClaim), out var stamp) ? stamp : null;

    public static ClaimsPrincipal For(ApiKeyIdentity key, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, key.UserId.ToString()),
        new Claim(ClaimTypes.Name, key.UserName),
        new Claim(ClaimTypes.Role, key.Role.Name()),
        new Claim(AuthSchemes.KeyIdClaim, key.KeyId.ToString()),
    ], scheme));

    public static Guid? UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Role? RoleOf(this ClaimsPrincipal principal) =>
        Roles.TryParse(principal.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    public static Guid? KeyId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AuthSchemes.KeyIdClaim), out var id) ? id : null;

    public static bool May(this ClaimsPrincipal principal, string policy) =>
        principal.RoleOf() is { } role && Policies.RolesOf(policy).Contains(role.Name());
}
