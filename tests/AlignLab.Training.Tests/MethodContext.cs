using System.Text.Json.Nodes;
using AlignLab.Core.Checkpoints;
using AlignLab.Core.Methods;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;

namespace AlignLab.Training.Tests;

/// <summary>A run context for calling a method directly: records metrics, keeps checkpoints in a temp folder,
/// and can cancel itself once a metric reaches a step (a "kill" at a known point).</summary>
public sealed class MethodContext : IRunContext, IMetricsSink
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly (string Name, long Step)? _cancelAt;

    public MethodContext(ITrainingMethod method, string parameters, string? artifactDirectory = null, (string Name, long Step)? cancelAt = null)
    {
        var validation = new RunRequestValidator(new MethodCatalog([method]))
            .Validate(JsonNode.Parse($$"""{"method":"{{method.Descriptor.Name}}","parameters":{{parameters}}}"""));
        Spec = validation.Spec ?? throw new ArgumentException(string.Join("; ", validation.Errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        ArtifactDirectory = artifactDirectory ?? TinyModels.TempFolder();
        Checkpoints = new FileCheckpointStore(Path.Combine(ArtifactDirectory, "checkpoints"));
        _cancelAt = cancelAt;
    }

    public Guid RunId { get; } = Guid.NewGuid();
    public RunSpec Spec { get; }
    public MethodParameters Parameters => new(Spec.Parameters);
    public IMetricsSink Metrics => this;
    public ICheckpointStore Checkpoints { get; }
    public string ArtifactDirectory { get; }
    public CancellationToken CancellationToken => _cancel.Token;
    public List<(long Step, string Name, double Value)> Points { get; } = [];

    public IEnumerable<double> Series(string name) => Points.Where(p => p.Name == name).Select(p => p.Value);

    public void Report(long step, string name, double value)
    {
        Points.Add((step, name, value));
        if (_cancelAt is { } at && at.Name == name && at.Step == step) _cancel.Cancel();
    }

    public void ReportProgress(long step, long totalSteps) { }
}
