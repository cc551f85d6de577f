using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.R3;

/// <summary>Everything a query-type classification run is told, typed.</summary>
public sealed record QueryTypeRunOptions
{
    public string Dataset { get; init; } = R3PpoMethod.Demo;
    public string Classifier { get; init; } = "model";
    public string EndpointModel { get; init; } = "";
    public ModelOptions Model { get; init; } = new();
    public int MaxInstances { get; init; }
    public int BatchSize { get; init; } = 8;
    public string Device { get; init; } = "cpu";

    public bool UsesEndpoint => Classifier == "endpoint";

    public static QueryTypeRunOptions Defaults { get; } = new();

    public static ParameterSchema<QueryTypeRunOptions> Schema { get; } = new ParameterSchema<QueryTypeRunOptions>()
        .Dataset(o => o.Dataset, "dataset", [R3PpoMethod.Demo],
            "The dataset whose queries to classify (any kind); demo-r3 carries labels, so the agreement shows.",
            DatasetLayout.KindsWith(RecordPart.Instruction))
        .Choice(o => o.Classifier, "classifier", ["endpoint", "model"],
            "Who answers: the configured chat-completions endpoint (AlignLab:Revision), or the local model below, choosing the likelier of the two answers.")
        .Text(o => o.EndpointModel, "endpoint_model", 200, "Model name sent to the endpoint (e.g. gpt-4); empty: the configured one.")
        .Group(o => o.Model, ModelOptions.Schema)
        .Integer(o => o.MaxInstances, "max_instances", 0, 10_000_000, "Classify only the first N records (0: all); the labelled dataset holds those.")
        .Integer(o => o.BatchSize, "batch_size", 2, 1024, "Sequences per forward pass of the local model (two per query).")
        .Text(o => o.Device, "device", 20, "cpu, cuda or cuda:N (local model).");
}
