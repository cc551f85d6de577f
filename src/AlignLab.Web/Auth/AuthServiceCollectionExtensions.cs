using System.Threading.RateLimiting;
using AlignLab.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>Authentication (cookie or API key), the role policies with <see cref="Policies.Read"/> as the fallback,
/// and the per-key request rate limit of the REST API.</summary>
public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddAlignLabAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<ApiKeyCache>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton(sp => new SignInThrottle(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.SignInFirstLockSeconds));
        services.AddSingleton<RunOwners>();
        services.AddSingleton<AccountAdministration>();
        services.AddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptions<LimitsOptions>>().Value;
            return new Core.Previews.PreviewGate(limits.ConcurrentPreviews, TimeSpan.FromSeconds(limits.PreviewWaitSeconds));
        });
        services.AddHostedService<FirstAdmin>();

        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, "Cookie or API key", o =>
                o.ForwardDefaultSelector = context => AuthSchemes.PresentsKey(context.Request) ? AuthSchemes.ApiKey : AuthSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = "alignlab.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromDays(14);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/forbidden";
                // Scripts and hubs get status codes with problem+json; pages get the login page.
                // Every request checks the session's stamp against the account's: signing out anywhere ends it here too.
                o.Events.OnValidatePrincipal = async context =>
                {
                    var accounts = context.HttpContext.RequestServices.GetRequiredService<AlignLab.Data.Accounts.AccountRepository>();
                    if (context.Principal?.UserId() is { } id && context.Principal.SessionStamp() is { } stamp
                        && await accounts.SessionStampAsync(id, context.HttpContext.RequestAborted) == stamp)
                        return;
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
                };
                o.Events.OnRedirectToLogin = context => AuthSchemes.IsApiRequest(context.Request)
                    ? Problem(context.HttpContext, 401, "Authentication required", "send an API key (Authorization: Bearer alk_…) or sign in")
                    : Redirect(context);
                o.Events.OnRedirectToAccessDenied = context => AuthSchemes.IsApiRequest(context.Request)
                    ? Problem(context.HttpContext, 403, "Forbidden", $"this needs another role; yours is {context.HttpContext.User.RoleOf()?.Name() ?? "none"}")
                    : Redirect(context);
            });

        services.AddAuthorization(o =>
        {
            foreach (var policy in new[] { Policies.Read, Policies.Annotate, Policies.Launch, Policies.Admin })
                o.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(Policies.RolesOf(policy)));
            o.FallbackPolicy = o.GetPolicy(Policies.Read);
        });
        services.AddCascadingAuthenticationState();

        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!AuthSchemes.IsApiRequest(context.Request)) return RateLimitPartition.GetNoLimiter("pages");
                var perMinute = context.RequestServices.GetRequiredService<IOptionsMonitor<LimitsOptions>>().CurrentValue.RequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(PartitionOf(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                var perMinute = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<LimitsOptions>>().CurrentValue.RequestsPerMinute;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await Problem(context.HttpContext, 429, "Too many requests",
                    $"at most {perMinute} requests per minute per API key (AlignLab:Limits:RequestsPerMinute); retry after the Retry-After header's seconds");
            };
        });
        return services;
    }

    /// <summary>Whom a request's rate counts against: its API key, else its user, else its address.</summary>
    private static string PartitionOf(HttpContext context) =>
        context.User.KeyId() is { } key ? $"key:{key}"
        : context.User.UserId() is { } user ? $"user:{user}"
        : $"address:{context.Connection.RemoteIpAddress}";

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
