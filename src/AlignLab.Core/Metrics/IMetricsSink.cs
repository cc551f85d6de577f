namespace AlignLab.Core.Metrics;

/// <summary>Where a training loop reports its metrics. Reporting is cheap and never blocks on I/O:
/// implementations buffer and write in batches.</summary>
public interface IMetricsSink
{
    void Report(long step, string name, double value);

    /// <summary>Records how far the run is; shown as the progress bar.</summary>
    void ReportProgress(long step, long totalSteps);
}
