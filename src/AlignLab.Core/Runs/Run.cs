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
    bool CancelRequested,
    RunActors? Actors = null)
{
    /// <summary>Who launched and who cancelled the run, and the run it retried; none for a run of the platform itself.</summary>
    public RunActors Actors { get; init; } = Actors ?? RunActors.None;

    /// <summary>When it was archived (out of the lists, kept whole); null when it is not.</summary>
    public DateTimeOffset? ArchivedAt { get; init; }

    public double Progress => TotalSteps <= 0 ? 0 : Math.Clamp((double)Step / TotalSteps, 0, 1);
}
