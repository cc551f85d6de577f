namespace AlignLab.Core.Ppo;

/// <summary>The files a PPO run (PPO with a reward model, R³ PPO) writes in its run folder, read by the run page, the
/// samples endpoint and the reward-hacking report. Both are <see cref="Runs.StepLog"/>s: JSON Lines, a "step" per row.</summary>
public static class PpoArtifacts
{
    /// <summary>A few rollouts every sample_every steps: rows are <see cref="GenerationSample"/>.</summary>
    public const string SamplesFile = "samples.jsonl";

    /// <summary>Every rollout's reward-hacking signs: rows are <see cref="RewardHacking.RolloutStat"/>.</summary>
    public const string RolloutStatsFile = "rollout_stats.jsonl";

    /// <summary>Per-token views of the first rollouts_kept rollouts every sample_every steps (and step 1): rows are
    /// <see cref="RolloutRecord"/>.</summary>
    public const string RolloutsFile = "rollouts.jsonl";
}
