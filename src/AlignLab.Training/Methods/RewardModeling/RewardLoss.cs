using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>How a reward model's per-position scores r_t (2B, T) become a sequence reward and a Bradley–Terry loss
/// (“Aligning Large Language Models via Fine-grained Supervision”). Sequence level: R = the score at the last response token. Token level: R = (1/T) Σ_t r_t over the
/// response (Eq. 1); trained with Eq. 4, −log σ((1/T^i) Σ_{U1(i)} r^i_t − (1/T^j) Σ_{U1(j)} r^j_t), only the changed
/// tokens, or with the full Eq. 3, which without Eq. 4's approximation is −log σ(R^i − R^j).</summary>
public static class RewardLoss
{
    public enum Level { Token, Sequence }
    public enum TokenObjective { ChangedTokens, Full }

    /// <summary>Each row's reward (2B): last-token score or mean response-token score.</summary>
    public static Tensor SequenceRewards(Tensor scores, RewardBatch batch, Level level) => level == Level.Sequence
        ? scores.gather(1, batch.LastIndex.unsqueeze(1)).squeeze(1)
        : (scores * batch.ResponseMask).sum(1) / batch.ResponseMask.sum(1);

    /// <summary>The quantity whose sigmoid is P(preferred ≻ other), per pair (B).</summary>
    public static Tensor Margin(Tensor scores, RewardBatch batch, Level level, TokenObjective objective)
    {
        var B = batch.Pairs;
        Tensor perRow = level == Level.Token && objective == TokenObjective.ChangedTokens
            ? (scores * batch.ChangedMask).sum(1) / batch.ResponseMask.sum(1)
            : SequenceRewards(scores, batch, level);
        return perRow.narrow(0, 0, B) - perRow.narrow(0, B, B);
    }

    /// <summary>−mean log σ(margin).</summary>
    public static Tensor Loss(Tensor margin) => -F.logsigmoid(margin).mean();
}
