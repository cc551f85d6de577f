namespace AlignLab.Web.Auth;

/// <summary>Refuses state-changing requests that a page of another origin made a signed-in user's browser send. A cookie
/// rides along with every request to this host, also from a page on another port of it (same site, so SameSite=Lax does
/// not stop it); the browser names the page's origin in Origin (or Referer), which must be this app's own. Requests with
/// an API key carry no ambient credential and are not affected; reads (GET, HEAD, OPTIONS) change nothing.</summary>
/// <remarks>Behind a reverse proxy that forwards to another Host, name the public origin in AlignLab:Auth:AllowedOrigins.</remarks>
public sealed class CrossSiteRequestGuard(RequestDelegate next, Microsoft.Extensions.Options.IOptionsMonitor<AuthOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || AuthSchemes.PresentsKey(request) || Allowed(request))
        {
            await next(context);
            return;
        }
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused",
            detail: $"this request came from a page of {Source(request)}, not of this app; send it from the app's own pages, or with an API key")
            .ExecuteAsync(context);
    }

    // A browser sends Origin with every cross-origin request that changes state, and a Referer unless told not to; a
    // request with neither comes from a program, not a page.
    private bool Allowed(HttpRequest request)
    {
        var source = Source(request);
        return source is null || string.Equals(source, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
            || options.CurrentValue.AllowedOrigins.Any(o => string.Equals(source, o.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }

    private static string? Source(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0) return origin == "null" ? "an opaque origin" : origin.TrimEnd('/');
        return Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer) ? referer.GetLeftPart(UriPartial.Authority) : null;
    }
}
