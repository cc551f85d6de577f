using AlignLab.Core.Datasets;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;

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
    public PromptJoining Joining { get; init; } = PromptJoining.Authors;
    public RewardScaledWeights RewardWeights { get; init; } = RewardScaledWeights.None;
    public string RewardModel { get; init; } = "";
    public int EvalGenerations { get; init; } = 32;
    public int EvalMaxNewTokens { get; init; } = 64;
    public IReadOnlyList<string> EvaluateWith { get; init; } = [];
    public bool EvaluateCheckpoints { get; init; }
    public int MicroBatchesPerPass { get; init; } = 1;
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, Epochs = 5, MaxSteps = 0, BatchSize = 8, GradAccum = 16, MaxLength = 512,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new() { Precision = "auto" };

    /// <summary>The paper's recipe: the defaults.</summary>
    public static FigaRunOptions Paper { get; } = new();

    public static FigaRunOptions Defaults => Paper;

    /// <summary>The built-in demo in CPU minutes: 200 steps instead of epochs, demo-length pairs (128 tokens), fp32, and the
    /// prompt joined as the demo policy was trained (apart, as ids).</summary>
    public static FigaRunOptions Demo { get; } = new()
    {
        Joining = PromptJoining.Ids,
        Optimization = Paper.Optimization with { MaxSteps = 200, MaxLength = 128 },
        Runtime = Paper.Runtime with { Precision = "fp32" },
        // The demo runs on a CPU, where four of a step's 16 micro-batches in one pass take about 0.6 of the time (the same
        // gradient; bench/results/method-throughput.md), and memory is no concern at the demo model's size.
        MicroBatchesPerPass = 4,
    };

    /// <summary>Eq. 1 and the bad-token selection (Core's <see cref="FigaOptions"/>, which the reference loss shares).</summary>
    public static ParameterSchema<FigaOptions> WeightsSchema { get; } = new ParameterSchema<FigaOptions>()
        .Number(o => o.Alpha, "alpha", 0, 100, "α (Eq. 1): weight of added/substituted tokens of the revision.")
        .Number(o => o.Beta, "beta", 0, 100, "β (Eq. 1): penalty on deleted/substituted tokens of the initial response (paper ablations 0.2–0.5; 0 with Table 5's r̃ variants unless given).")
        .Number(o => o.Gamma, "gamma", 0, 100, "γ (Eq. 1): weight of unchanged tokens of the revision (0.3 hurts, Table 7).")
        .Number(o => o.NllThreshold, "nll_threshold", 0, 100, "NLL threshold of the bad-token selection: 0.6 (paper §4.1; the authors' code uses it as the lower bound).")
        .Number(o => o.NllUpper, "nll_upper", 0, 100, "Upper NLL bound of authors_code selection: 1.0 (RUCAIBox/FIGA modeling_llama.py).")
        .Choice(o => o.Selection, "bad_selection", "Which penalised tokens count: paper (NLL < threshold, §4.1, the default), authors_code (threshold ≤ NLL ≤ upper, the authors' modeling_llama.py), none or inverted (Table 5 ablations).")
        .Choice(o => o.GoodLabels, "good_labels",
            "Rewarded tokens of the revision (r̃): levenshtein, its inserts/replaces weighted α (the paper's method); Table 5's variants: bag_of_words " +
            "(tokens absent from Ŷ), llm_weighted (the chat-completions endpoint scores Ỹ's words 0–5 with the paper's prompt: 0.7–1.3, unscored 0.3) " +
            "and llm_binary (1 for a word scored above 0, else 0). The paper ran the variants with β = 0, which they set unless beta is given.");

    /// <summary>Table 5 ran its variants of r̃ with β = 0: the value β takes with them unless a run gives beta.</summary>
    public static LinkedDefault BetaOfTable5Variants { get; } = new("beta", 0.0, "good_labels", ["bag_of_words", "llm_weighted", "llm_binary"],
        "Table 5 ran its variants of r̃ with β = 0");

    public static ParameterSchema<FigaRunOptions> Schema { get; } = new ParameterSchema<FigaRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", [FigaData.Demo],
            "(Initial, revised) pairs: an imported SPA or minimal-edit dataset, or demo-spa (built-in pairs: wrong fact → corrected fact).",
            DatasetLayout.KindsWith(FigaData.Needs))
        .Group(o => o.Figa, WeightsSchema)
        .Choice(o => o.OverlongPairs, "overlong_pairs",
            "A pair longer than max_length: truncate its responses' ends (the authors' tokenizer truncation, the default) or drop it.")
        .Choice(o => o.Joining, "prompt_joining",
            "How prompt and response join: authors (the authors' train.py: the prompt ending \"### Response:\", a space and the response tokenized as one text after BOS) " +
            "or ids (prompt and response tokenized apart and joined as ids, as AlignLab's other methods).")
        .Choice(o => o.RewardWeights, "reward_weights",
            "Table 5's R(·): α (alpha) or α and β (alpha_beta) from reward_model's scores of the revision and the initial response, min-max scaled over the " +
            "dataset; none: the parameters (the paper's method).")
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model folder for evaluation: mean reward of greedy generations on held-out prompts (empty: none).")
        .Integer(o => o.EvalGenerations, "eval_generations", 1, 100_000, "Held-out prompts answered for the reward evaluation.")
        .Integer(o => o.EvalMaxNewTokens, "eval_max_new_tokens", 1, 8192, "Longest answer in the reward evaluation.")
        .EvaluateWith(o => o.EvaluateWith, o => o.EvaluateCheckpoints)
        .Group(o => o.Optimization, OptimizationOptions.Schema)
        .Integer(o => o.MicroBatchesPerPass, "micro_batches_per_pass", 1, 1024,
            "Micro-batches run through the model in one forward and backward pass, for speed at the cost of memory. Each keeps its own " +
            "loss normalisation, so the gradient and the recipe are those of one micro-batch per pass (up to float rounding).")
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
