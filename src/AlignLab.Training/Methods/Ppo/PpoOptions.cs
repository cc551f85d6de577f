using AlignLab.Core.Methods;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>The PPO engine's hyperparameters (docs/methods.md, the PPO details), shared by every PPO method; the defaults are
/// the common reference implementations', the response length each method's own.</summary>
public sealed record PpoOptions
{
    public double InitKlCoef { get; init; } = 0.2;
    public bool AdaptiveKl { get; init; } = true;
    public double TargetKl { get; init; } = 6;
    public double KlHorizon { get; init; } = 10_000;
    public double Gamma { get; init; } = 1;
    public double Lam { get; init; } = 0.95;
    public double ClipRange { get; init; } = 0.2;
    public double ClipRangeValue { get; init; } = 0.2;
    public double VfCoef { get; init; } = 0.1;
    public double EntCoef { get; init; }
    public int PpoEpochs { get; init; } = 4;
    public int MiniBatchSize { get; init; } = 4;
    public int GradAccum { get; init; } = 1;
    public int MaxNewTokens { get; init; } = 32;
    public int GenerationBatchSize { get; init; }
    public double Temperature { get; init; } = 1;
    public int SampleEvery { get; init; } = 10;
    public int RolloutsKept { get; init; } = 8;
    public bool ScoreScaling { get; init; }
    public bool ScoreNorm { get; init; }
    public double ScoreClip { get; init; }
    public int BestEvery { get; init; }
    public bool KlClamp { get; init; }
    public bool WhitenRewards { get; init; }

    /// <summary>What PPO does to raw rewards before the KL penalty (TRL's use_score_scaling, use_score_norm, score_clip).</summary>
    public Core.Ppo.ScoreScaling Scaling => new(ScoreScaling, ScoreNorm, ScoreClip);

    public static ParameterSchema<PpoOptions> Schema { get; } = new ParameterSchema<PpoOptions>()
        .Number(o => o.InitKlCoef, "init_kl_coef", 0, 100, "Initial β of the per-token KL penalty.")
        .Boolean(o => o.AdaptiveKl, "adaptive_kl", "Adapt β towards target_kl (Ziegler et al.); off: β stays fixed.")
        .Number(o => o.TargetKl, "target_kl", 0.001, 1000, "Target KL of the adaptive controller.")
        .Number(o => o.KlHorizon, "kl_horizon", 1, 1e9, "Horizon of the adaptive controller.")
        .Number(o => o.Gamma, "gamma", 0, 1, "GAE discount γ.")
        .Number(o => o.Lam, "lam", 0, 1, "GAE λ.")
        .Number(o => o.ClipRange, "cliprange", 0.01, 10, "Policy ratio clip ε.")
        .Number(o => o.ClipRangeValue, "cliprange_value", 0.01, 100, "Value clip around the rollout's values.")
        .Number(o => o.VfCoef, "vf_coef", 0, 100, "Weight of the value loss.")
        .Number(o => o.EntCoef, "ent_coef", 0, 10, "Weight of the entropy bonus.")
        .Integer(o => o.PpoEpochs, "ppo_epochs", 1, 100, "Passes over each rollout batch.")
        .Integer(o => o.MiniBatchSize, "mini_batch_size", 1, 4096, "Rollouts per forward and backward pass.")
        .Integer(o => o.GradAccum, "grad_accum", 1, 1024, "Minibatches whose gradients make one optimizer update (TRL gradient_accumulation_steps).")
        .Integer(o => o.MaxNewTokens, "max_new_tokens", 1, 4096, "Longest response.")
        .Integer(o => o.GenerationBatchSize, "generation_batch_size", 0, 4096,
            "Rollouts generated in one pass (0: the whole batch_size at once). The prompts are sorted by length first, so that each pass pads the least; the KV cache holds one pass.")
        .Number(o => o.Temperature, "temperature", 0.01, 10, "Sampling temperature of the rollouts.")
        .Integer(o => o.SampleEvery, "sample_every", 0, 1_000_000, "Store sample generations every N steps (0: never).")
        .Integer(o => o.RolloutsKept, "rollouts_kept", 0, 256,
            "Rollouts stored at those steps (and step 1) with every token's log-probs, KL, value, reward and advantage, for the rollouts browser (0: none).")
        .Boolean(o => o.ScoreScaling, "score_scaling", "Divide rewards by their running standard deviation (TRL use_score_scaling).")
        .Boolean(o => o.ScoreNorm, "score_norm", "With score_scaling, subtract the running mean first (TRL use_score_norm).")
        .Number(o => o.ScoreClip, "score_clip", 0, 1e6, "Clip rewards to ±this after scaling (TRL score_clip; 0: no clipping).")
        .Boolean(o => o.KlClamp, "kl_clamp", "Clamp the per-token KL estimate at 0 before the penalty, so that no token earns a bonus (AlpacaFarm's PPO; TRL does not).")
        .Boolean(o => o.WhitenRewards, "whiten_rewards", "Whiten the KL-penalised rewards over the batch, keeping their mean, before GAE (AlpacaFarm's whiten_rewards; TRL does not).")
        .Integer(o => o.BestEvery, "best_every", 0, 1_000_000,
            "Every N steps, compare the mean raw reward of the rollouts since the last comparison with the best so far, keep the best policy, and export it at the end (0: export the last).");
}
