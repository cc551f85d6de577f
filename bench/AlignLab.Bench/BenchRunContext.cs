using AlignLab.Core.Checkpoints;
using AlignLab.Core.Methods;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Bench;

/// <summary>A run context for calling a method directly from a benchmark: metrics are kept in memory (and passed to
/// <paramref name="onReport"/>), checkpoints go to a folder under <paramref name="directory"/>.</summary>
public sealed class BenchRunContext(RunSpec spec, string directory, Action<long, string, double>? onReport = null) : IRunContext, IMetricsSink
{
    public Guid RunId { get; } = Guid.NewGuid();
    public RunSpec Spec => spec;
    public MethodParameters Parameters => new(BenchOverrides.Apply(spec.Parameters));
    public IMetricsSink Metrics => this;
    public ICheckpointStore Checkpoints { get; } = new FileCheckpointStore(Path.Combine(directory, "checkpoints"));
    public string ArtifactDirectory => directory;
    public CancellationToken CancellationToken => CancellationToken.None;
    public List<(long Step, string Name, double Value)> Points { get; } = [];

    public void Report(long step, string name, double value)
    {
        Points.Add((step, name, value));
        onReport?.Invoke(step, name, value);
    }

    public void ReportProgress(long step, long totalSteps) { }
}
