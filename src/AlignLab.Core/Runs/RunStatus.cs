namespace AlignLab.Core.Runs;

/// <summary>Lifecycle of a run. Succeeded, Failed and Cancelled are terminal.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
}
