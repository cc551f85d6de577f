using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.Evaluation;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Everything a PPO run with a reward model is told, typed. “Aligning Large Language Models via Fine-grained
/// Supervision” has no public code and builds on AlpacaFarm's PPO, so the <see cref="Paper"/> preset takes AlpacaFarm's
/// settings: 300-token rollouts, γ 1, λ 1, a fixed KL coefficient of 0.02 on the per-token KL clamped at 0, reward
/// whitening, 2 PPO epochs, lr 1e-5 warmed up over 5 steps and decayed linearly, and the critic initialised from the reward model. <see cref="Demo"/> runs the
/// built-in demo in CPU minutes.</summary>
public sealed record PpoRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Prompts { get; init; } = PpoMethod.DemoPrompts;
    public string Variant { get; init; } = PpoVariant.Auto;
    public string Reward { get; init; } = "reward_model";
    public string RewardModel { get; init; } = "";
    public string Keyword { get; init; } = "";
    public string Critic { get; init; } = CriticFromRewardModel;
    public PpoOptions Ppo { get; init; } = new()
    {
        MaxNewTokens = 300, Gamma = 1, Lam = 1, InitKlCoef = 0.02, AdaptiveKl = false, PpoEpochs = 2, KlClamp = true, WhitenRewards = true,
    };

    /// <summary>The values of <see cref="Critic"/>: a value head on the policy's backbone, or a critic of its own
    /// initialised from the reward model's backbone.</summary>
    public const string CriticOnPolicy = "policy", CriticFromRewardModel = "reward_model";
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "linear", WarmupSteps = 5, MaxSteps = 100, BatchSize = 16, GradAccum = 1,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new() { Precision = "auto", DisableDropout = true };
    public IReadOnlyList<string> EvaluateWith { get; init; } = [];
    public bool EvaluateCheckpoints { get; init; }

    /// <summary>AlpacaFarm's PPO settings: the defaults.</summary>
    public static PpoRunOptions Paper { get; } = new();

    public static PpoRunOptions Defaults => Paper;

    /// <summary>The built-in demo in CPU minutes: 32-token rollouts, a constant lr, the adaptive KL controller from 0.2 on the
    /// unclamped KL, 4 PPO epochs, no reward whitening, the value head on the policy, fp32.</summary>
    public static PpoRunOptions Demo { get; } = new()
    {
        Critic = CriticOnPolicy,
        Ppo = new() { MaxNewTokens = 32 },
        Optimization = Paper.Optimization with { Schedule = "constant", WarmupSteps = 0 },
        Runtime = Paper.Runtime with { Precision = "fp32" },
    };

    public static ParameterSchema<PpoRunOptions> Schema { get; } = new ParameterSchema<PpoRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Prompts, "prompts", [PpoMethod.DemoPrompts], "Prompts: the instructions of any stored dataset, or demo-prompts (the demo questions).")
        .Choice(o => o.Variant, "variant", PpoVariant.All,
            "“Aligning Large Language Models via Fine-grained Supervision”'s variants: fine-grained-token (token-level reward model), fine-grained (sequence-level, trained on edited pairs), ppo-rlhf (sequence-level, original pairs); the reward model must match. auto: whatever it is.")
        .Choice(o => o.Reward, "reward", ["reward_model", "keyword"], "Reward source: a reward model folder, or +1 per token of a keyword (smoke runs).")
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model: a reward-model run's export (runs/{id}/export), or any HF *ForSequenceClassification folder.")
        .Text(o => o.Keyword, "keyword", 100, "The keyword of the keyword reward.")
        .Choice(o => o.Critic, "critic", [CriticFromRewardModel, CriticOnPolicy],
            "The critic: reward_model, a model of its own initialised from the reward model's backbone with a zero value head, trained in full beside the policy " +
            "(AlpacaFarm's init_value_with_reward; it must share the policy's tokenizer), or policy, a value head on the policy's backbone (TRL).")
        .EvaluateWith(o => o.EvaluateWith, o => o.EvaluateCheckpoints)
        .Group(o => o.Ppo, PpoOptions.Schema)
        .Group(o => o.Optimization, OptimizationOptions.RolloutSchema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
