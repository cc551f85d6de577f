using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Everything a FIGA run is told, typed; the defaults are “Beyond Imitation”'s recipe: lr 1e-5 constant, batch 128
/// (here 8 × 16 accumulation), α = 1, β = 0.5, γ = 0, NLL threshold 0.6.</summary>
public sealed record FigaRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = FigaData.Demo;
    public FigaOptions Figa { get; init; } = new();
    public string RewardModel { get; init; } = "";
    public int EvalGenerations { get; init; } = 32;
    public int EvalMaxNewTokens { get; init; } = 64;
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, MaxSteps = 200, BatchSize = 8, GradAccum = 16,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new();

    public static FigaRunOptions Defaults { get; } = new();

    /// <summary>Eq. 1 and the bad-token selection (Core's <see cref="FigaOptions"/>, which the reference loss shares).</summary>
    public static ParameterSchema<FigaOptions> WeightsSchema { get; } = new ParameterSchema<FigaOptions>()
        .Number(o => o.Alpha, "alpha", 0, 100, "α (Eq. 1): weight of added/substituted tokens of the revision.")
        .Number(o => o.Beta, "beta", 0, 100, "β (Eq. 1): penalty on deleted/substituted tokens of the initial response (paper ablations 0.2–0.5).")
        .Number(o => o.Gamma, "gamma", 0, 100, "γ (Eq. 1): weight of unchanged tokens of the revision (0.3 hurts, Table 7).")
        .Number(o => o.NllThreshold, "nll_threshold", 0, 100, "Penalise a token only if its NLL is below this (the model is confident in it).")
        .Choice(o => o.Selection, "bad_selection", "Which penalised tokens count: NLL < threshold (paper), all, or NLL ≥ threshold (ablations).")
        .Choice(o => o.GoodLabels, "good_labels", "Rewarded tokens: Levenshtein inserts/replaces (paper), or tokens absent from Ŷ (ablation).");

    public static ParameterSchema<FigaRunOptions> Schema { get; } = new ParameterSchema<FigaRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", [FigaData.Demo],
            "(Initial, revised) pairs: an imported SPA or minimal-edit dataset, or demo-spa (built-in pairs: wrong fact → corrected fact).",
            DatasetLayout.KindsWith(FigaData.Needs))
        .Group(o => o.Figa, WeightsSchema)
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model folder for evaluation: mean reward of greedy generations on held-out prompts (empty: none).")
        .Integer(o => o.EvalGenerations, "eval_generations", 1, 100_000, "Held-out prompts answered for the reward evaluation.")
        .Integer(o => o.EvalMaxNewTokens, "eval_max_new_tokens", 1, 8192, "Longest answer in the reward evaluation.")
        .Group(o => o.Optimization, OptimizationOptions.Schema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
