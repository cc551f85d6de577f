namespace AlignLab.Web.Auth;

/// <summary>How requests authenticate: people by the cookie a login sets, scripts by an API key
/// (<c>Authorization: Bearer alk_…</c>, <c>X-Api-Key: alk_…</c>, or for SignalR WebSockets <c>?access_token=alk_…</c>).
/// <see cref="Default"/> picks one per request.</summary>
public static class AuthSchemes
{
    public const string Default = "AlignLab";
    public const string Cookie = "AlignLab.Cookie";
    public const string ApiKey = "AlignLab.ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The claim naming the API key a request authenticated with.</summary>
    public const string KeyIdClaim = "alignlab:key";
    public const string SessionStampClaim = "alignlab:session";

    /// <summary>Whether the request carries an API key (well-formed or not) rather than relying on a cookie.</summary>
    public static bool PresentsKey(HttpRequest request) => PresentedKey(request) is not null;

    /// <summary>The presented key's text, or null.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization["Bearer ".Length..].Trim();
        if (request.Headers.TryGetValue(ApiKeyHeader, out var header)) return header.ToString().Trim();
        if (request.Path.StartsWithSegments("/hubs") && request.Query.TryGetValue("access_token", out var token)) return token.ToString();
        return null;
    }

    /// <summary>API and hub requests get status codes, pages get redirects to the login page.</summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/openapi");
}
