using AlignLab.Core.Datasets;
using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>Everything a reward-model run is told, typed. Defaults: token-level rewards trained on the changed tokens of
/// edited pairs, as “Aligning Large Language Models via Fine-grained Supervision” does.</summary>
public sealed record RewardModelRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Dataset { get; init; } = RewardPairs.Demo;
    public string Pairs { get; init; } = RewardPairs.Edited;
    public RewardLoss.Level Level { get; init; } = RewardLoss.Level.Token;
    public RewardLoss.TokenObjective TokenObjective { get; init; } = RewardLoss.TokenObjective.ChangedTokens;
    public ChangedTokens ChangedTokens { get; init; } = ChangedTokens.Levenshtein;
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-4, Schedule = "cosine", WarmupSteps = 10, MaxSteps = 200, BatchSize = 16, GradAccum = 1,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new();

    public static RewardModelRunOptions Defaults { get; } = new();

    public static ParameterSchema<RewardModelRunOptions> Schema { get; } = new ParameterSchema<RewardModelRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Dataset, "dataset", [RewardPairs.Demo],
            "Pairs: an imported SPA, minimal-edit (prompt, original, edited) or preference (prompt, chosen, rejected) dataset, or demo-edits (synthetic: the edited fact decides preference).",
            DatasetLayout.KindsWith(RecordPart.Original))
        .Choice(o => o.Pairs, "pairs", [RewardPairs.Edited, RewardPairs.Original],
            "Edited pairs (edited ≻ original: the fine-grained data, in SPA and minimal-edit datasets) or standard pairs (output or chosen ≻ original or rejected, in SPA and preference datasets).")
        .Choice(o => o.Level, "level", "Token: a reward per response token, R = their mean (Eq. 1). Sequence: the reward at the last token.")
        .Choice(o => o.TokenObjective, "token_objective", "Token level: Eq. 4 on the changed tokens U1 (paper), or the full Eq. 3.")
        .Choice(o => o.ChangedTokens, "changed_tokens",
            "Which tokens are U1: a Levenshtein alignment's edits (default, robust to inserted or deleted words), or differing positions (the paper's equal-length reading).")
        .Group(o => o.Optimization, OptimizationOptions.Schema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
