namespace AlignLab.Data.Notifications;

/// <summary>PostgreSQL NOTIFY channels of the metrics bus. Workers write and notify; web nodes listen.</summary>
public static class Channels
{
    /// <summary>New metric points of a run; payload: <see cref="MetricsNotification"/> JSON.</summary>
    public const string Metrics = "alignlab_metrics";

    /// <summary>A run's status or progress changed; payload: <see cref="RunNotification"/> JSON.</summary>
    public const string Runs = "alignlab_runs";

    /// <summary>Cancellation of a running run was requested; payload: the run id.</summary>
    public const string Cancel = "alignlab_cancel";

    /// <summary>PostgreSQL's limit on a NOTIFY payload is 8000 bytes; metric batches are split below it.</summary>
    public const int MaxPayloadBytes = 7800;
}
