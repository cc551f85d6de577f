using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
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
        var padded = rows.Select(r => (r.Prompt, r.Response)).ToList();
        var batch = ResponseBatch.Pad(padded, padTokenId, device);
        var weights = batch.Spread(padded, (b, k) => rows[b].Weights[k]);
        return new FigaBatch(batch.InputIds, batch.AttentionMask, weights, batch.ResponseMask, examples.Count, batch.Tokens);
    }
}
