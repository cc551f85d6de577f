using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Both sequences of each pair in one batch (2B rows: the B revisions, then the B initial responses), right
/// padded, with each response token's Eq. 1 weight at its position ((2B, T), 0 on prompt and padding).</summary>
public sealed record FigaBatch(Tensor InputIds, Tensor AttentionMask, Tensor Weights, Tensor ResponseMask, int Pairs, long Tokens)
{
    public static FigaBatch Build(IReadOnlyList<FigaExample> examples, int padTokenId, Device device)
    {
        var rows = examples.Select(e => (e.Prompt, Response: e.Revised, Weights: e.Weights.Revised))
            .Concat(examples.Select(e => (e.Prompt, Response: e.Original, Weights: e.Weights.Original))).ToList();
        var length = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var ids = new long[rows.Count * length];
        var attention = new long[ids.Length];
        var response = new float[ids.Length];
        var weights = new float[ids.Length];
        Array.Fill(ids, padTokenId);
        for (int b = 0; b < rows.Count; b++)
        {
            var (prompt, answer, answerWeights) = rows[b];
            for (int i = 0; i < prompt.Length + answer.Length; i++)
            {
                var k = i - prompt.Length;
                ids[b * length + i] = k < 0 ? prompt[i] : answer[k];
                attention[b * length + i] = 1;
                if (k >= 0)
                {
                    response[b * length + i] = 1;
                    weights[b * length + i] = (float)answerWeights[k];
                }
            }
        }
        long[] shape = [rows.Count, length];
        return new FigaBatch(tensor(ids, shape, device: device), tensor(attention, shape, device: device),
            tensor(weights, shape, device: device), tensor(response, shape, device: device), examples.Count, attention.Sum());
    }
}
