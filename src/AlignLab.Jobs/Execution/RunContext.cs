using AlignLab.Core.Checkpoints;
using AlignLab.Core.Methods;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Jobs.Execution;

internal sealed record RunContext(
    Guid RunId,
    RunSpec Spec,
    MethodParameters Parameters,
    IMetricsSink Metrics,
    ICheckpointStore Checkpoints,
    string ArtifactDirectory,
    CancellationToken CancellationToken) : IRunContext;
