using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Sft;

/// <summary>A right-padded batch: ids, attention mask and the mask of response tokens, each (B, T).</summary>
public sealed record Batch(Tensor InputIds, Tensor AttentionMask, Tensor ResponseMask, long Tokens)
{
    public static Batch Pad(IReadOnlyList<(int[] Prompt, int[] Response)> examples, int padTokenId, Device device)
    {
        var length = examples.Max(e => e.Prompt.Length + e.Response.Length);
        var ids = new long[examples.Count * length];
        var attention = new long[ids.Length];
        var response = new long[ids.Length];
        Array.Fill(ids, padTokenId);
        for (int b = 0; b < examples.Count; b++)
        {
            var (prompt, answer) = examples[b];
            for (int i = 0; i < prompt.Length + answer.Length; i++)
            {
                ids[b * length + i] = i < prompt.Length ? prompt[i] : answer[i - prompt.Length];
                attention[b * length + i] = 1;
                response[b * length + i] = i < prompt.Length ? 0 : 1;
            }
        }
        long[] shape = [examples.Count, length];
        return new Batch(tensor(ids, shape, device: device), tensor(attention, shape, device: device),
            tensor(response, shape, device: device), attention.Sum());
    }
}
