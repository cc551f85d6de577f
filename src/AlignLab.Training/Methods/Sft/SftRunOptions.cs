using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Everything a supervised fine-tuning run is told, typed. lr 1e-3 with cosine decay trains the demo model from
/// scratch in minutes; use ~1e-5 for pretrained models.</summary>
public sealed record SftRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = SftData.Demo;
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-3, Schedule = "cosine", WarmupSteps = 20, MaxSteps = 300, BatchSize = 16, GradAccum = 1, WeightDecay = 0.01,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new();
    public IReadOnlyList<string> EvaluateWith { get; init; } = [];
    public bool EvaluateCheckpoints { get; init; }

    public static SftRunOptions Defaults { get; } = new();

    public static ParameterSchema<SftRunOptions> Schema { get; } = new ParameterSchema<SftRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", SftData.BuiltIn,
            "(Instruction, response) pairs: a stored dataset's instruction, input and output; the built-in demo instructions; or demo-spa-initial, the initial (wrong) answers of the demo SPA pairs (a policy for FIGA to correct).",
            DatasetLayout.KindsWith(RecordPart.Instruction, RecordPart.Output))
        .EvaluateWith(o => o.EvaluateWith, o => o.EvaluateCheckpoints)
        .Group(o => o.Optimization, OptimizationOptions.Schema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
