using AlignLab.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace AlignLab.Web.Realtime;

/// <summary>/hubs/runs: clients join a run's group and receive "metrics" (runId, points) and "status"
/// (run notification) messages; the "runs" group gets every run's status.</summary>
[Authorize(Policy = Policies.Read)]
public sealed class RunsHub : Hub
{
    public const string Path = "/hubs/runs";
    public const string AllRunsGroup = "runs";

    public static string GroupOf(Guid runId) => $"run:{runId:D}";

    public Task Subscribe(Guid runId) => Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(runId));

    public Task Unsubscribe(Guid runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(runId));

    public Task SubscribeAll() => Groups.AddToGroupAsync(Context.ConnectionId, AllRunsGroup);
}
