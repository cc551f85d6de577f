using static TorchSharp.torch;

namespace AlignLab.Training.Ppo;

/// <summary>Rollouts as right-padded rows of prompt + response, with the response mask and each response token's
/// score from the reward source at its position.</summary>
public sealed record PpoBatch(Tensor InputIds, Tensor AttentionMask, Tensor ResponseMask, Tensor Scores, long Tokens)
{
    public static PpoBatch Build(IReadOnlyList<PpoSample> samples, IReadOnlyList<double[]> scores, int padTokenId, Device device)
    {
        var T = samples.Max(s => s.Prompt.Length + s.Response.Length);
        var n = samples.Count;
        var ids = new long[n * T];
        var attention = new long[n * T];
        var response = new float[n * T];
        var score = new float[n * T];
        for (int b = 0; b < n; b++)
        {
            var (prompt, tokens) = (samples[b].Prompt, samples[b].Response);
            if (scores[b].Length != tokens.Length)
                throw new InvalidOperationException($"the reward source scored {scores[b].Length} tokens of a {tokens.Length}-token response");
            for (int t = 0; t < T; t++)
            {
                var i = b * T + t;
                var r = t - prompt.Length;
                ids[i] = t < prompt.Length ? prompt[t] : r < tokens.Length ? tokens[r] : padTokenId;
                attention[i] = t < prompt.Length + tokens.Length ? 1 : 0;
                if (r >= 0 && r < tokens.Length)
                {
                    response[i] = 1;
                    score[i] = (float)scores[b][r];
                }
            }
        }
        return new PpoBatch(tensor(ids, [n, T], device: device), tensor(attention, [n, T], device: device),
            tensor(response, [n, T], device: device), tensor(score, [n, T], device: device), attention.Sum());
    }

    /// <summary>x shifted one position to the right along dim 1 with 0 in front: the value of the state before token t
    /// is the critic's output at position t − 1.</summary>
    public static Tensor ShiftRight(Tensor x) => cat([zeros_like(x.narrow(1, 0, 1)), x.narrow(1, 0, x.shape[1] - 1)], 1);
}
