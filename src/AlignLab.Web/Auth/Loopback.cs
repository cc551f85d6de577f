using System.Net;

namespace AlignLab.Web.Auth;

/// <summary>Whether a request comes from this machine itself, directly: a loopback peer with no proxy headers (a
/// reverse proxy on the same machine would make every request look local).</summary>
public static class Loopback
{
    public static bool IsDirectLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
        && !context.Request.Headers.ContainsKey("X-Forwarded-For") && !context.Request.Headers.ContainsKey("Forwarded");
}
