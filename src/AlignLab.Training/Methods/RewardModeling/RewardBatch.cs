using AlignLab.Training.Batching;
using AlignLab.Training.Methods.Common;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>B pairs as 2B right-padded rows (preferred rows first, then the others) with masks over the response
/// tokens, over the changed tokens U1, and each row's last response token; <see cref="Unpadded"/>: where its real tokens are,
/// for passes that skip the padding (right-padded rows need no attention mask).</summary>
public sealed record RewardBatch(Tensor InputIds, Tensor ResponseMask, Tensor ChangedMask, Tensor LastIndex, int Pairs, long Tokens,
    Models.Unpadding Unpadded)
{
    public static RewardBatch Build(IReadOnlyList<RewardExample> examples, int padTokenId, Device device)
    {
        var rows = examples.Select(e => (e.Prompt, Response: e.Preferred, Changed: e.PreferredChanged))
            .Concat(examples.Select(e => (e.Prompt, Response: e.Other, Changed: e.OtherChanged))).ToList();
        var padded = rows.Select(r => (r.Prompt, r.Response)).ToList();
        var batch = ResponseBatch.Pad(padded, padTokenId, device);
        var changed = batch.Spread(padded, (b, k) => rows[b].Changed[k] ? 1 : 0);
        var last = tensor(rows.Select(r => (long)(r.Prompt.Length + r.Response.Length - 1)).ToArray(), device: device);
        return new RewardBatch(batch.InputIds, batch.ResponseMask, changed, last, examples.Count, batch.Tokens, batch.Unpadded());
    }
}
