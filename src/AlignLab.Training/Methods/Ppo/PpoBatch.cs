using AlignLab.Training.Batching;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Rollouts as right-padded rows of prompt + response (<see cref="Rollouts"/>), with each response token's score
/// from the reward source at its position (<see cref="Scores"/>, (B, T) Float32). Minibatches pick rows cut at their own
/// longest rollout (<see cref="ResponseBatch.Rows"/>, <see cref="ResponseBatch.Unpadded(IReadOnlyList{int}, long?)"/>).</summary>
public sealed record PpoBatch(ResponseBatch Rollouts, Tensor Scores)
{
    public Tensor InputIds => Rollouts.InputIds;

    public Tensor ResponseMask => Rollouts.ResponseMask;

    /// <summary>The rollouts' real tokens.</summary>
    public long Tokens => Rollouts.Tokens;

    public static PpoBatch Build(IReadOnlyList<PpoSample> samples, IReadOnlyList<double[]> scores, int padTokenId, Device device)
    {
        for (int b = 0; b < samples.Count; b++)
            if (scores[b].Length != samples[b].Response.Length)
                throw new InvalidOperationException($"the reward source scored {scores[b].Length} tokens of a {samples[b].Response.Length}-token response");
        var rows = samples.Select(s => (s.Prompt, s.Response)).ToList();
        var rollouts = ResponseBatch.Pad(rows, padTokenId, device);
        return new PpoBatch(rollouts, rollouts.Spread(rows, (b, k) => scores[b][k]));
    }

    /// <summary>x shifted one position to the right along dim 1 with 0 in front: the value of the state before token t
    /// is the critic's output at position t − 1.</summary>
    public static Tensor ShiftRight(Tensor x) => cat([zeros_like(x.narrow(1, 0, 1)), x.narrow(1, 0, x.shape[1] - 1)], 1);
}
