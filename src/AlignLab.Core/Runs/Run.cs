namespace AlignLab.Core.Runs;

/// <summary>A run as stored: its spec, where it is in its lifecycle and how far it got.</summary>
public sealed record Run(
    Guid Id,
    RunSpec Spec,
    RunStatus Status,
    long Step,
    long TotalSteps,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    bool CancelRequested)
{
    public double Progress => TotalSteps <= 0 ? 0 : Math.Clamp((double)Step / TotalSteps, 0, 1);
}
