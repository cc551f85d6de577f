using Hangfire.Dashboard;

namespace AlignLab.Web.Auth;

/// <summary>The Hangfire dashboard's own check, behind the endpoint's <see cref="Policies.Admin"/> policy: admins only,
/// from any address (Hangfire's default admits local requests, whoever makes them).</summary>
public sealed class AdminDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.May(Policies.Admin);
}
