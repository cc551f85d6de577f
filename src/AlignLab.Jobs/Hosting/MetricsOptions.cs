namespace AlignLab.Jobs.Hosting;

/// <summary>Section AlignLab:Metrics: how a job batches the metric points it reports.</summary>
public sealed class MetricsOptions
{
    public const string Section = "AlignLab:Metrics";

    /// <summary>Points are written (and reach browsers) at most this long after being reported.</summary>
    public int FlushIntervalMs { get; set; } = 100;

    /// <summary>Points held while the database is unreachable before the oldest are dropped.</summary>
    public int MaxBufferedPoints { get; set; } = 1_000_000;
}
