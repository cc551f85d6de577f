using System.Text.Encodings.Web;
using AlignLab.Core.Accounts;
using AlignLab.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>Authenticates a request by the API key it presents (see <see cref="AuthSchemes"/>): the key's hash must
/// name an unrevoked key. A challenge answers 401 problem+json saying what was wrong with the key.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyCache keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private string? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = AuthSchemes.PresentedKey(Request);
        if (key is null) return AuthenticateResult.NoResult();
        if (!ApiKeySecret.LooksLikeKey(key))
            return Fail($"an API key starts with {ApiKeySecret.Marker}; this one does not look like a key");
        var identity = await keys.FindAsync(key, Context.RequestAborted);
        if (identity is null) return Fail("the API key is unknown or revoked");
        return AuthenticateResult.Success(new AuthenticationTicket(Principals.For(identity, Scheme.Name), Scheme.Name));
    }

    private AuthenticateResult Fail(string reason)
    {
        _failure = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Authentication required",
                detail: _failure ?? "send an API key (Authorization: Bearer alk_…) or sign in")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem(statusCode: 403, title: "Forbidden",
                detail: $"this needs another role; the key's role is {Context.User.RoleOf()?.Name() ?? "none"}")
            .ExecuteAsync(Context);
}
