using System.Security.Claims;
using AlignLab.Core.Accounts;
using AlignLab.Core.Runs;

namespace AlignLab.Web.Auth;

/// <summary>Who may act on whose runs. Anyone who may launch may retry or clone any run they can see (the new run is
/// theirs). Cancelling stops someone's work, so it is for the run's launcher and for admins; a run launched by the
/// platform itself (no launcher) only admins may cancel.</summary>
public static class RunPermissions
{
    public static bool MayCancel(this ClaimsPrincipal user, Run run) =>
        user.May(Policies.Launch) && (user.RoleOf() == Role.Admin || (run.Actors.LaunchedById is { } owner && owner == user.UserId()));

    /// <param name="action">What was refused: "cancel", "archive".</param>
    public static string Refusal(Run run, string action) => run.Actors.LaunchedBy is { } owner
        ? $"only {owner}, who launched the run, or an admin may {action} it"
        : $"only an admin may {action} a run the platform launched";
}
