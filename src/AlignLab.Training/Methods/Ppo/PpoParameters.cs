using AlignLab.Core.Methods;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>The PPO engine's hyperparameters (METHODS.md, the PPO details), shared by every PPO method; the
/// defaults are the common reference implementations'.</summary>
public static class PpoParameters
{
    public static IEnumerable<ParameterSpec> Engine(long maxNewTokens) =>
    [
            ParameterSpec.Number("init_kl_coef", 0.2, 0, 100, "Initial β of the per-token KL penalty."),
            ParameterSpec.Boolean("adaptive_kl", true, "Adapt β towards target_kl (Ziegler et al.); off: β stays fixed."),
            ParameterSpec.Number("target_kl", 6, 0.001, 1000, "Target KL of the adaptive controller."),
            ParameterSpec.Number("kl_horizon", 10_000, 1, 1e9, "Horizon of the adaptive controller."),
            ParameterSpec.Number("gamma", 1, 0, 1, "GAE discount γ."),
            ParameterSpec.Number("lam", 0.95, 0, 1, "GAE λ."),
            ParameterSpec.Number("cliprange", 0.2, 0.01, 10, "Policy ratio clip ε."),
            ParameterSpec.Number("cliprange_value", 0.2, 0.01, 100, "Value clip around the rollout's values."),
            ParameterSpec.Number("vf_coef", 0.1, 0, 100, "Weight of the value loss."),
            ParameterSpec.Number("ent_coef", 0, 0, 10, "Weight of the entropy bonus."),
            ParameterSpec.Integer("ppo_epochs", 4, 1, 100, "Passes over each rollout batch."),
            ParameterSpec.Integer("mini_batch_size", 4, 1, 4096, "Rollouts per PPO update."),
            ParameterSpec.Integer("max_new_tokens", maxNewTokens, 1, 4096, "Longest response."),
            ParameterSpec.Number("temperature", 1, 0.01, 10, "Sampling temperature of the rollouts."),
            ParameterSpec.Integer("sample_every", 10, 0, 1_000_000, "Store sample generations every N steps (0: never)."),
    ];
}
