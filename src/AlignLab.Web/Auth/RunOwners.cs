using System.Security.Claims;
using AlignLab.Jobs.Launching;
using Microsoft.Extensions.Options;

namespace AlignLab.Web.Auth;

/// <summary>The <see cref="RunOwner"/> a launch is made for: the signed-in user, with their concurrent-runs limit.</summary>
public sealed class RunOwners(IOptionsMonitor<LimitsOptions> limits)
{
    public RunOwner? For(ClaimsPrincipal user) =>
        user.UserId() is { } id ? new RunOwner(id, user.Identity?.Name ?? id.ToString(), limits.CurrentValue.ConcurrentRunsPerUser) : null;
}
