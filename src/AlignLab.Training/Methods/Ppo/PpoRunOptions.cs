using AlignLab.Core.Methods;
using AlignLab.Training.Methods.Common;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Everything a PPO run with a reward model is told, typed.</summary>
public sealed record PpoRunOptions : ITrainingOptions
{
    public ModelOptions Model { get; init; } = new();
    public string Prompts { get; init; } = PpoMethod.DemoPrompts;
    public string Variant { get; init; } = PpoVariant.Auto;
    public string Reward { get; init; } = "reward_model";
    public string RewardModel { get; init; } = "";
    public string Keyword { get; init; } = "";
    public PpoOptions Ppo { get; init; } = new() { MaxNewTokens = 32 };
    public OptimizationOptions Optimization { get; init; } = new()
    {
        LearningRate = 1e-5, Schedule = "constant", WarmupSteps = 0, MaxSteps = 100, BatchSize = 16, GradAccum = 1,
    };
    public LoraOptions Lora { get; init; } = new();
    public RuntimeOptions Runtime { get; init; } = new();

    public static PpoRunOptions Defaults { get; } = new();

    public static ParameterSchema<PpoRunOptions> Schema { get; } = new ParameterSchema<PpoRunOptions>()
        .Group(o => o.Model, ModelOptions.Schema)
        .Dataset(o => o.Prompts, "prompts", [PpoMethod.DemoPrompts], "Prompts: the instructions of any stored dataset, or demo-prompts (the demo questions).")
        .Choice(o => o.Variant, "variant", PpoVariant.All,
            "“Aligning Large Language Models via Fine-grained Supervision”'s variants: fine-grained-token (token-level reward model), fine-grained (sequence-level, trained on edited pairs), ppo-rlhf (sequence-level, original pairs); the reward model must match. auto: whatever it is.")
        .Choice(o => o.Reward, "reward", ["reward_model", "keyword"], "Reward source: a reward model folder, or +1 per token of a keyword (smoke runs).")
        .Model(o => o.RewardModel, "reward_model", ModelRole.Reward,
            "Reward model: a reward-model run's export (runs/{id}/export), or any HF *ForSequenceClassification folder.")
        .Text(o => o.Keyword, "keyword", 100, "The keyword of the keyword reward.")
        .Group(o => o.Ppo, PpoOptions.Schema)
        .Group(o => o.Optimization, OptimizationOptions.RolloutSchema)
        .Group(o => o.Lora, LoraOptions.Schema)
        .Group(o => o.Runtime, RuntimeOptions.Schema);
}
