using System.Security.Claims;
using System.Text.Json.Nodes;
using AlignLab.Core.Runs;
using AlignLab.Data.Runs;
using AlignLab.Jobs.Launching;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Runs;

/// <summary>What a user may tell a run to do (launch, retry, cancel, archive), with the permission checks, shared by the
/// REST API and the pages so that a button and an endpoint behave the same.</summary>
public sealed class RunCommands(RunRepository runs, RunLauncher launcher, RunOwners owners)
{
    public Task<LaunchResult> LaunchAsync(JsonNode? request, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        launcher.LaunchAsync(request, owners.For(user), cancellationToken);

    public Task<SweepLaunchResult> LaunchSweepAsync(string? name, JsonObject request, SweepGrid grid, ClaimsPrincipal user,
        CancellationToken cancellationToken = default) =>
        launcher.LaunchSweepAsync(name, request, grid, owners.For(user), cancellationToken);

    /// <summary>A new run with a finished run's spec; <see cref="RunCommandResult.Launch"/> holds the new run or why not.</summary>
    public async Task<RunCommandResult> RetryAsync(Guid id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return RunCommandResult.NotFound;
        if (!user.May(Policies.Launch)) return new(RunCommandStatus.Forbidden, run, "You may not launch runs");
        if (!run.Status.IsTerminal())
            return new(RunCommandStatus.Conflict, run, "The run has not finished", $"run {id} is {run.Status}; cancel it first, or wait");
        return new(RunCommandStatus.Done, run, "Retried", Launch: await launcher.RetryAsync(run, owners.For(user), cancellationToken));
    }

    /// <summary>Cancels a queued run (its job is deleted) or asks a running one to stop; its launcher or an admin.</summary>
    public async Task<RunCommandResult> CancelAsync(Guid id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return RunCommandResult.NotFound;
        if (!user.MayCancel(run)) return new(RunCommandStatus.Forbidden, run, "You may not cancel this run", RunPermissions.Refusal(run, "cancel"));
        var outcome = await launcher.CancelAsync(id, user.UserId(), cancellationToken);
        var after = await runs.GetAsync(id, cancellationToken);
        return outcome switch
        {
            CancelOutcome.NotFound => RunCommandResult.NotFound,
            CancelOutcome.AlreadyFinished => new(RunCommandStatus.Conflict, after, "The run has already finished"),
            CancelOutcome.Cancelled => new(RunCommandStatus.Done, after, "Cancelled"),
            _ => new(RunCommandStatus.Done, after, "Cancellation requested"),
        };
    }

    /// <summary>Archives a finished run (out of the lists, kept whole) or restores it; its launcher or an admin.</summary>
    public async Task<RunCommandResult> SetArchivedAsync(Guid id, bool archived, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await runs.GetAsync(id, cancellationToken) is not { } run) return RunCommandResult.NotFound;
        if (!user.MayCancel(run)) return new(RunCommandStatus.Forbidden, run, "You may not archive this run", RunPermissions.Refusal(run, "archive"));
        return await runs.SetArchivedAsync(id, archived, user.UserId(), cancellationToken) switch
        {
            ArchiveOutcome.NotFound => RunCommandResult.NotFound,
            ArchiveOutcome.NotFinished => new(RunCommandStatus.Conflict, run, "The run has not finished",
                $"run {id} is {run.Status}: cancel it first, or wait, then archive it"),
            _ => new(RunCommandStatus.Done, await runs.GetAsync(id, cancellationToken),
                archived ? "Archived: out of the runs list, kept whole (the Archived switch there shows it)" : "Restored to the runs list"),
        };
    }
}

public enum RunCommandStatus { Done, NotFound, Forbidden, Conflict }

/// <summary>How a command went: the run as it is now (null when not found), a title a person reads, and for a refusal
/// the detail; a retry's launch result.</summary>
public sealed record RunCommandResult(RunCommandStatus Status, Run? Run, string Title, string? Detail = null, LaunchResult? Launch = null)
{
    public static readonly RunCommandResult NotFound = new(RunCommandStatus.NotFound, null, "No such run");
}
