using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Everything a FIGA run is told, typed. The defaults are the <see cref="Paper"/> preset, “Beyond Imitation”'s recipe
/// (§4.1 and appendix; the authors' RUCAIBox/FIGA code where the paper is silent): lr 1e-5 constant, batch 128 (here
/// 8 × 16 accumulation), 5 epochs, pairs truncated at 512 tokens, bf16 on CUDA, α = 1, β = 0.5, γ = 0, bad tokens kept
/// when their NLL is below 0.6. <see cref="Demo"/> trains the demo policy on the built-in pairs in CPU minutes.</summary>
public sealed record FigaRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = FigaData.Demo;
    public FigaOptions Figa { get; init; } = new();
    public OverlongPairs OverlongPairs { get; init; } = OverlongPairs.Truncate;
    public string RewardModel { get; init; } = "";
    public int EvalGenerations { get; init; } = 32;
    public int EvalMaxNewTokens { get; init; } = 64;
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, Epochs = 5, MaxSteps = 0, BatchSize = 8, GradAccum = 16, MaxLength = 512,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new() { Precision = "auto" };

    /// <summary>The paper's recipe: the defaults.</summary>
    public static FigaRunOptions Paper { get; } = new();

    public static FigaRunOptions Defaults => Paper;

    /// <summary>The built-in demo in CPU minutes: 200 steps instead of epochs, demo-length pairs (128 tokens), fp32.</summary>
    public static FigaRunOptions Demo { get; } = new()
    {
        Optimization = Paper.Optimization with { MaxSteps = 200, MaxLength = 128 },
        Runtime = Paper.Runtime with { Precision = "fp32" },
    };

    /// <summary>Eq. 1 and the bad-token selection (Core's <see cref="FigaOptions"/>, which the reference loss shares).</summary>
    public static ParameterSchema<FigaOptions> WeightsSchema { get; } = new ParameterSchema<FigaOptions>()
        .Number(o => o.Alpha, "alpha", 0, 100, "α (Eq. 1): weight of added/substituted tokens of the revision.")
        .Number(o => o.Beta, "beta", 0, 100, "β (Eq. 1): penalty on deleted/substituted tokens of the initial response (paper ablations 0.2–0.5).")
        .Number(o => o.Gamma, "gamma", 0, 100, "γ (Eq. 1): weight of unchanged tokens of the revision (0.3 hurts, Table 7).")
        .Number(o => o.NllThreshold, "nll_threshold", 0, 100, "NLL threshold of the bad-token selection: 0.6 (paper §4.1; the authors' code uses it as the lower bound).")
        .Number(o => o.NllUpper, "nll_upper", 0, 100, "Upper NLL bound of authors_code selection: 1.0 (RUCAIBox/FIGA modeling_llama.py).")
        .Choice(o => o.Selection, "bad_selection", "Which penalised tokens count: paper (NLL < threshold, §4.1, the default), authors_code (threshold ≤ NLL ≤ upper, the authors' modeling_llama.py), none or inverted (Table 5 ablations).")
        .Choice(o => o.GoodLabels, "good_labels", "Rewarded tokens: Levenshtein inserts/replaces (paper), or tokens absent from Ŷ (ablation).");

    public static ParameterSchema<FigaRunOptions> Schema { get; } = new ParameterSchema<FigaRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", [FigaData.Demo],
            "(Initial, revised) pairs: an imported SPA or minimal-edit dataset, or demo-spa (built-in pairs: wrong fact → corrected fact).",
            DatasetLayout.KindsWith(FigaData.Needs))
        .Group(o => o.Figa, WeightsSchema)
        .Choice(o => o.OverlongPairs, "overlong_pairs",
            "A pair longer than max_length: truncate its responses' ends (the authors' tokenizer truncation, the default) or drop it.")
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model folder for evaluation: mean reward of greedy generations on held-out prompts (empty: none).")
        .Integer(o => o.EvalGenerations, "eval_generations", 1, 100_000, "Held-out prompts answered for the reward evaluation.")
        .Integer(o => o.EvalMaxNewTokens, "eval_max_new_tokens", 1, 8192, "Longest answer in the reward evaluation.")
        .Group(o => o.Optimization, OptimizationOptions.Schema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}

/// <summary>What FIGA does with a pair longer than max_length.</summary>
public enum OverlongPairs
{
    /// <summary>Cut each response's end, as the authors' tokenizer truncation at 512 does; weights are computed before.</summary>
    Truncate,
    /// <summary>Leave the pair out.</summary>
    Drop,
}
