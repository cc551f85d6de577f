using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Ppo;

namespace AlignLab.Training.Methods.R3;

/// <summary>Everything an R³ PPO run is told, typed. Defaults from METHODS.md §3: rollouts up to 512 tokens, lr 1e-5
/// constant, adaptive KL from 0.2, clip 0.2, γ 1, 4 PPO epochs, LoRA (r 16) on the query and value projections.</summary>
public sealed record R3PpoRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = R3PpoMethod.Demo;
    public string QueryTypes { get; init; } = "column";
    public string Ablation { get; init; } = "none";
    public string Retriever { get; init; } = "";
    public PpoOptions Ppo { get; init; } = new() { MaxNewTokens = 512 };
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, MaxSteps = 5000, BatchSize = 16, GradAccum = 1,
    };
    public LoraOptions Lora { get; init; } = new() { Enabled = true, Rank = 16 };
    public RuntimeOptions Runtime { get; init; } = new();

    public static R3PpoRunOptions Defaults { get; } = new();

    public static ParameterSchema<R3PpoRunOptions> Schema { get; } = new ParameterSchema<R3PpoRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", [R3PpoMethod.Demo],
            "Queries with reference answers (output, or chosen) and optional query_type labels: an imported pool, SPA or preference dataset, or demo-r3.",
            DatasetLayout.KindsWith(RecordPart.Output))
        .Choice(o => o.QueryTypes, "query_types", ["column", "all_oe", "all_ce"],
            "Where each query's type comes from: the dataset's query_type column (every record must have one), or one type for all.")
        .Choice(o => o.Ablation, "ablation", [.. R3Ablations.ByName.Keys], "“Preference-free Alignment Learning with Regularized Relevance Reward”'s reward ablations (Table 4).")
        .Model(o => o.Retriever, "retriever", ModelRole.Retriever,
            "Dense retriever for relevance: a BERT folder in HF layout with vocab.txt (e.g. Contriever) under a model root. Empty: the embedded lexical scorer (no weights).")
        .Group(o => o.Ppo, PpoOptions.Schema)
        .Group(o => o.Optimization, OptimizationOptions.RolloutSchema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
