namespace AlignLab.Core.Ppo;

/// <summary>The coefficient β of the per-token KL penalty reward_t = r_t − β·(log π_θ − log π_ref).</summary>
public interface IKlController
{
    double Beta { get; }

    /// <summary>Adjusts β after a rollout batch whose mean sequence KL was <paramref name="kl"/> over <paramref name="steps"/> samples.</summary>
    void Update(double kl, int steps);
}

public sealed class FixedKlController(double beta) : IKlController
{
    public double Beta { get; } = beta;
    public void Update(double kl, int steps) { }
}

/// <summary>Ziegler et al.'s adaptive controller: β ← β·(1 + clip((KL − target)/target, −0.2, 0.2)·n/horizon),
/// pulling the policy's KL from the reference towards <paramref name="target"/>.</summary>
public sealed class AdaptiveKlController(double initialBeta, double target, double horizon) : IKlController
{
    public double Beta { get; private set; } = initialBeta;

    public void Update(double kl, int steps)
    {
        var error = Math.Clamp((kl - target) / target, -0.2, 0.2);
        Beta *= 1 + error * steps / horizon;
    }

    /// <summary>Restores β from a checkpoint.</summary>
    public void Reset(double beta) => Beta = beta;
}
