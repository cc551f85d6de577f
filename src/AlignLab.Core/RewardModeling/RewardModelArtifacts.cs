namespace AlignLab.Core.RewardModeling;

/// <summary>The files a reward-model run writes in its run folder, read by the run page's histograms and the heatmap
/// viewer. Web-cased JSON.</summary>
public static class RewardModelArtifacts
{
    /// <summary>The held-out rewards of both sides: one <see cref="Distribution"/>.</summary>
    public const string DistributionFile = "reward_distribution.json";

    /// <summary>The per-token rewards of held-out pairs: JSON Lines of <see cref="PairRow"/>.</summary>
    public const string TokenRewardsFile = "token_rewards.jsonl";

    /// <summary>The same rows for the first held-out pairs at every evaluation step (<see cref="Runs.StepSnapshots"/>).</summary>
    public const string TokenRewardsStepsFolder = "token_rewards_steps";

    /// <summary>Held-out pairwise accuracy and the reward of each side of every held-out pair.</summary>
    public sealed record Distribution(double Accuracy, double[] Preferred, double[] Other);

    public sealed record TokenReward(string Token, int Id, double Reward, bool Changed);

    public sealed record PairRow(string Instruction, IReadOnlyList<TokenReward> Preferred, IReadOnlyList<TokenReward> Other);
}
