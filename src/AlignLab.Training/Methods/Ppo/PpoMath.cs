using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>PPO's arithmetic on batches of responses (B, T), right-padded, with <c>mask</c> 1 on response tokens.
/// Every function equals <see cref="Core.Ppo.PpoReference"/> applied to each response (or to all real tokens
/// together, for whitening and the losses); padding contributes nothing.</summary>
public static class PpoMath
{
    /// <summary>The per-token KL estimate log π_θ − log π_ref, clamped at 0 when <paramref name="clamp"/> (AlpacaFarm's
    /// ppo_trainer.py: a token the policy finds less likely than the reference earns no bonus); zero on padding.</summary>
    public static Tensor TokenKl(Tensor logProbs, Tensor referenceLogProbs, Tensor mask, bool clamp = false)
    {
        var kl = logProbs - referenceLogProbs;
        return (clamp ? kl.clamp_min(0) : kl) * mask;
    }

    /// <summary>reward_t = r_t − β·KL_t (<see cref="TokenKl"/>), zero on padding.</summary>
    public static Tensor PenalisedRewards(Tensor scores, Tensor logProbs, Tensor referenceLogProbs, Tensor mask, double beta, bool clampKl = false) =>
        (scores - beta * TokenKl(logProbs, referenceLogProbs, mask, clampKl)) * mask;

    /// <summary>AlpacaFarm's reward whitening (whiten(rewards, shift_mean=False)): (x − mean)/(std + 1e-8) + mean with the
    /// population std, over the real tokens of the batch (AlpacaFarm takes every position, padding included); padding
    /// stays 0. The scale is normalised, the mean kept.</summary>
    public static Tensor WhitenKeepingMean(Tensor values, Tensor mask)
    {
        var count = mask.sum();
        var mean = (values * mask).sum() / count;
        var std = (((values - mean).pow(2) * mask).sum() / count).sqrt();
        return ((values - mean) / (std + 1e-8) + mean) * mask;
    }

    /// <summary>A sequence reward per row (B) placed on each row's last response token.</summary>
    public static Tensor AtLastToken(Tensor rewards, Tensor mask)
    {
        var last = mask.sum(1).to(ScalarType.Int64).sub(1).clamp_min(0);                                   // (B)
        return zeros_like(mask).scatter(1, last.unsqueeze(1), rewards.unsqueeze(1).to(mask.dtype)) * mask;
    }

    /// <summary>GAE over each row: δ_t = reward_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}; V and rewards are zero
    /// after the response, so a row's last token bootstraps from 0. Returns (advantages, returns = A + V).</summary>
    public static (Tensor Advantages, Tensor Returns) Gae(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        var T = rewards.shape[1];
        var maskedValues = values * mask;
        var maskedRewards = rewards * mask;
        var columns = new Tensor[T];
        var next = zeros_like(maskedValues.select(1, 0));
        var nextValue = zeros_like(next);
        for (long t = T - 1; t >= 0; t--)
        {
            var value = maskedValues.select(1, t);
            var delta = maskedRewards.select(1, t) + gamma * nextValue - value;
            next = (delta + gamma * lambda * next) * mask.select(1, t);
            columns[t] = next;
            nextValue = value;
        }
        var advantages = stack(columns, 1);
        return (advantages, (advantages + maskedValues) * mask);
    }

    /// <summary>(x − mean)/sqrt(var + 1e-8) over the real tokens (unbiased variance); padding stays 0.</summary>
    public static Tensor Whiten(Tensor values, Tensor mask)
    {
        var count = mask.sum();
        var mean = (values * mask).sum() / count;
        var variance = ((values - mean).pow(2) * mask).sum() / (count - 1);
        return (values - mean) * rsqrt(variance + 1e-8) * mask;
    }

    public sealed record PolicyTerms(Tensor Loss, Tensor ClipFraction, Tensor ApproxKl);

    /// <summary>Clipped surrogate max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)) averaged over real tokens, with the clip fraction and
    /// approx-KL ½(logp − logp_old)².</summary>
    public static PolicyTerms PolicyLoss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double epsilon)
    {
        var count = mask.sum();
        var logRatio = logProbs - oldLogProbs;
        var ratio = logRatio.exp();
        var unclipped = -advantages * ratio;
        var bounded = -advantages * ratio.clamp(1 - epsilon, 1 + epsilon);
        var loss = (maximum(unclipped, bounded) * mask).sum() / count;
        var clipFraction = (bounded.gt(unclipped).to(mask.dtype) * mask).sum() / count;
        var approxKl = (0.5 * logRatio.pow(2) * mask).sum() / count;
        return new PolicyTerms(loss, clipFraction.detach(), approxKl.detach());
    }

    /// <summary>½·mean over real tokens of max((V − R)², (clip(V, V_old ± ε) − R)²).</summary>
    public static Tensor ValueLoss(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double epsilon)
    {
        var clipped = oldValues + (values - oldValues).clamp(-epsilon, epsilon);
        var loss = maximum((values - returns).pow(2), (clipped - returns).pow(2));
        return 0.5 * (loss * mask).sum() / mask.sum();
    }

    /// <summary>1 − Var(R − V)/Var(R) over the real tokens (population variances).</summary>
    public static double ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var count = mask.sum();
        Tensor Var(Tensor x) { var mean = (x * mask).sum() / count; return ((x - mean).pow(2) * mask).sum() / count; }
        var variance = Var(returns).to(ScalarType.Float64).item<double>();
        return variance == 0 ? double.NaN : 1 - Var(returns - values).to(ScalarType.Float64).item<double>() / variance;
    }

    /// <summary>Mean entropy of the next-token distributions over real tokens, from logits (B, T, V).</summary>
    public static Tensor Entropy(Tensor logits, Tensor mask)
    {
        var logp = nn.functional.log_softmax(logits, -1);
        var entropy = -(logp.exp() * logp).sum(-1);
        return (entropy * mask).sum() / mask.sum();
    }
}
