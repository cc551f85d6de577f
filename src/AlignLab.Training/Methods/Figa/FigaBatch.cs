using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>Both sequences of each pair in one batch (2B rows: the B revisions, then the B initial responses), right
/// padded, with each response token's Eq. 1 weight at its position ((2B, T), 0 on prompt and padding) and the rewarded
/// tokens (Bool (2B, T): the revision's tokens labelled added/substituted, <see cref="Core.Figa.FigaWeights.RevisedChanged"/>,
/// the one definition the loss's metrics, the evaluation and the heatmap share). A batch may hold several micro-batches
/// (<see cref="Groups"/>: each row's micro-batch, Int64 (2B)), whose losses <see cref="FigaLoss"/> normalises apart.
/// <see cref="Unpadded"/>: where its real and response tokens are.</summary>
public sealed record FigaBatch(Tensor InputIds, Tensor Weights, Tensor Rewarded, Tensor ResponseMask, Tensor Groups, int MicroBatches,
    int Pairs, long Tokens, Models.Unpadding Unpadded)
{
    public static FigaBatch Build(IReadOnlyList<FigaExample> examples, int padTokenId, Device device) => Build([examples], padTokenId, device);

    /// <summary>The pairs of several micro-batches in one batch: the revisions of all of them, then their initial responses.</summary>
    public static FigaBatch Build(IReadOnlyList<IReadOnlyList<FigaExample>> microBatches, int padTokenId, Device device)
    {
        var examples = microBatches.SelectMany(m => m).ToList();
        var group = microBatches.SelectMany((m, g) => m.Select(_ => (long)g)).ToArray();
        var rows = examples.Select(e => (e.Prompt, Response: e.Revised, Weights: e.Weights.Revised))
            .Concat(examples.Select(e => (e.Prompt, Response: e.Original, Weights: e.Weights.Original))).ToList();
        var padded = rows.Select(r => (r.Prompt, r.Response)).ToList();
        var batch = ResponseBatch.Pad(padded, padTokenId, device);
        var weights = batch.Spread(padded, (b, k) => rows[b].Weights[k]);
        var rewarded = batch.Spread(padded, (b, k) => b < examples.Count && examples[b].Weights.RevisedChanged[k] ? 1 : 0).gt(0);
        var groups = tensor([.. group, .. group], device: device);
        return new FigaBatch(batch.InputIds, weights, rewarded, batch.ResponseMask, groups, microBatches.Count, examples.Count, batch.Tokens,
            batch.Unpadded());
    }
}
