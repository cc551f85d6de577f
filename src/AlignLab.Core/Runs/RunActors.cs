namespace AlignLab.Core.Runs;

/// <summary>The accounts behind a run, as recorded from the signed-in principal (never from a request body): who
/// launched it, who cancelled it, and the run it is a retry of (its launcher is the one who retried).</summary>
public sealed record RunActors(Guid? LaunchedById, string? LaunchedBy, Guid? CancelledById, string? CancelledBy, Guid? RetryOf)
{
    public static readonly RunActors None = new(null, null, null, null, null);
}
