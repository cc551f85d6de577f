namespace AlignLab.Core.Ppo;

/// <summary>PPO's per-sequence arithmetic on plain arrays (one response of T tokens): the readable reference the
/// tensor implementation is tested against, and the statement of what it computes.</summary>
public static class PpoReference
{
    /// <summary>reward_t = r_t − β·(log π_θ(y_t) − log π_ref(y_t)).</summary>
    public static double[] PenalisedRewards(double[] scores, double[] logProbs, double[] referenceLogProbs, double beta) =>
        [.. scores.Select((r, t) => r - beta * (logProbs[t] - referenceLogProbs[t]))];

    /// <summary>A sequence-level reward R placed on the last token: [0, …, 0, R].</summary>
    public static double[] AtLastToken(double reward, int length) =>
        [.. Enumerable.Range(0, length).Select(t => t == length - 1 ? reward : 0.0)];

    /// <summary>GAE: δ_t = reward_t + γ·V_{t+1} − V_t (V_T = 0), A_t = Σ_k (γλ)^k δ_{t+k}; returns = A + V.</summary>
    public static (double[] Advantages, double[] Returns) Gae(double[] rewards, double[] values, double gamma, double lambda)
    {
        var T = rewards.Length;
        var advantages = new double[T];
        double next = 0, nextValue = 0;
        for (int t = T - 1; t >= 0; t--)
        {
            var delta = rewards[t] + gamma * nextValue - values[t];
            next = delta + gamma * lambda * next;
            advantages[t] = next;
            nextValue = values[t];
        }
        return (advantages, [.. advantages.Select((a, t) => a + values[t])]);
    }

    /// <summary>(x − mean) / sqrt(var + 1e-8) over all values, with the unbiased variance (torch.var's default).</summary>
    public static double[] Whiten(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return [.. values.Select(v => (v - mean) / Math.Sqrt(variance + 1e-8))];
    }

    /// <summary>Clipped surrogate: mean over tokens of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = exp(logp − logp_old); also
    /// the share of tokens where the clipped term won and the approximate KL mean(½(logp − logp_old)²).</summary>
    public static (double Loss, double ClipFraction, double ApproxKl) PolicyLoss(double[] logProbs, double[] oldLogProbs, double[] advantages, double epsilon)
    {
        double loss = 0, clipped = 0, approxKl = 0;
        for (int t = 0; t < logProbs.Length; t++)
        {
            var ratio = Math.Exp(logProbs[t] - oldLogProbs[t]);
            var unclipped = -advantages[t] * ratio;
            var bounded = -advantages[t] * Math.Clamp(ratio, 1 - epsilon, 1 + epsilon);
            loss += Math.Max(unclipped, bounded);
            if (bounded > unclipped) clipped++;
            approxKl += 0.5 * Math.Pow(logProbs[t] - oldLogProbs[t], 2);
        }
        return (loss / logProbs.Length, clipped / logProbs.Length, approxKl / logProbs.Length);
    }

    /// <summary>Clipped value loss: ½·mean over tokens of max((V − R)², (clip(V, V_old ± ε) − R)²).</summary>
    public static double ValueLoss(double[] values, double[] oldValues, double[] returns, double epsilon)
    {
        double loss = 0;
        for (int t = 0; t < values.Length; t++)
        {
            var clipped = Math.Clamp(values[t], oldValues[t] - epsilon, oldValues[t] + epsilon);
            loss += Math.Max(Math.Pow(values[t] - returns[t], 2), Math.Pow(clipped - returns[t], 2));
        }
        return 0.5 * loss / values.Length;
    }

    /// <summary>1 − Var(returns − values) / Var(returns): how much of the returns' variance the critic explains.</summary>
    public static double ExplainedVariance(double[] values, double[] returns)
    {
        double Var(IReadOnlyList<double> x) { var m = x.Average(); return x.Sum(v => (v - m) * (v - m)) / x.Count; }
        var variance = Var(returns);
        return variance == 0 ? double.NaN : 1 - Var([.. returns.Select((r, t) => r - values[t])]) / variance;
    }
}
