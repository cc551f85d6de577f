using AlignLab.Core.Checkpoints;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Core.Methods;

/// <summary>Everything a method's training loop gets from the platform for one run.</summary>
public interface IRunContext
{
    Guid RunId { get; }
    RunSpec Spec { get; }
    MethodParameters Parameters { get; }
    IMetricsSink Metrics { get; }
    ICheckpointStore Checkpoints { get; }

    /// <summary>The run's own folder under the artifact root, for exports and other outputs.</summary>
    string ArtifactDirectory { get; }
    CancellationToken CancellationToken { get; }
}
