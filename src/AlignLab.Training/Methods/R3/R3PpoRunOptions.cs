using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Core.R3;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Methods.Ppo;

namespace AlignLab.Training.Methods.R3;

/// <summary>Everything an R³ PPO run is told, typed. The defaults are the <see cref="Paper"/> preset: the authors' run_ppo.py
/// and training_args.py (naver-ai/rethinking-proxy-reward, TRL 0.7.4) with the paper's Table 7: rollouts up to 512 tokens,
/// lr 1e-5 constant, batch 16 in minibatches of 2 × 4 accumulation, adaptive KL from 0.2 (target 6, horizon 10,000),
/// clip 0.2, γ 1, λ 0.95, vf_coef 1.0, 4 PPO epochs, rewards scaled and normalised by running statistics and clipped at
/// ±10, LoRA r 8, α 16, dropout 0.05 on the query and value projections, and the policy with the best mean reward, compared
/// every 1,000 steps, exported. <see cref="Demo"/> runs the built-in demo in CPU minutes.</summary>
public sealed record R3PpoRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = R3PpoMethod.Demo;
    public string QueryTypes { get; init; } = "column";
    public string Ablation { get; init; } = "none";
    public string Retriever { get; init; } = "";
    public RelevanceText RelevanceText { get; init; } = RelevanceText.Cleaned;
    public PpoOptions Ppo { get; init; } = new()
    {
        MaxNewTokens = 512, VfCoef = 1.0, MiniBatchSize = 2, GradAccum = 4, ScoreScaling = true, ScoreNorm = true, ScoreClip = 10,
        BestEvery = 1000,
    };
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, MaxSteps = 5000, BatchSize = 16, GradAccum = 1,
    };
    public LoraOptions Lora { get; init; } = new() { Enabled = true, Rank = 8, Alpha = 16, Dropout = 0.05 };
    public RuntimeOptions Runtime { get; init; } = new() { Precision = "auto", DisableDropout = true };
    public IReadOnlyList<string> EvaluateWith { get; init; } = [];
    public bool EvaluateCheckpoints { get; init; }

    /// <summary>The authors' recipe: the defaults.</summary>
    public static R3PpoRunOptions Paper { get; } = new();

    public static R3PpoRunOptions Defaults => Paper;

    /// <summary>The built-in demo in CPU minutes: 40 steps of 8 rollouts of up to 48 tokens, minibatches of 4, fp32.</summary>
    public static R3PpoRunOptions Demo { get; } = new()
    {
        Ppo = Paper.Ppo with { MaxNewTokens = 48, MiniBatchSize = 4, GradAccum = 1, BestEvery = 0 },
        Optimization = Paper.Optimization with { MaxSteps = 40, BatchSize = 8 },
        Runtime = Paper.Runtime with { Precision = "fp32" },
    };

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
        .Choice(o => o.RelevanceText, "relevance_text",
            "Relevance on the cleaned response (default; clean-up is a step before scoring) or on the response as generated (the authors' reward_model.py).")
        .EvaluateWith(o => o.EvaluateWith, o => o.EvaluateCheckpoints)
        .Group(o => o.Ppo, PpoOptions.Schema)
        .Group(o => o.Optimization, OptimizationOptions.RolloutSchema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
