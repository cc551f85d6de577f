using static TorchSharp.torch;

namespace AlignLab.Training.Methods.RewardModeling;

/// <summary>B pairs as 2B right-padded rows (preferred rows first, then the others) with masks over the response
/// tokens, over the changed tokens U1, and each row's last response token.</summary>
public sealed record RewardBatch(Tensor InputIds, Tensor AttentionMask, Tensor ResponseMask, Tensor ChangedMask, Tensor LastIndex, int Pairs, long Tokens)
{
    public static RewardBatch Build(IReadOnlyList<RewardExample> examples, int padTokenId, Device device)
    {
        var rows = examples.Select(e => (e.Prompt, Response: e.Preferred, Changed: e.PreferredChanged))
            .Concat(examples.Select(e => (e.Prompt, Response: e.Other, Changed: e.OtherChanged))).ToList();
        var T = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var n = rows.Count;
        var ids = new long[n * T];
        var attention = new float[n * T];
        var response = new float[n * T];
        var changed = new float[n * T];
        var last = new long[n];
        for (int b = 0; b < n; b++)
        {
            var (prompt, tokens, flags) = rows[b];
            for (int t = 0; t < T; t++)
            {
                var i = b * T + t;
                var inResponse = t >= prompt.Length && t < prompt.Length + tokens.Length;
                ids[i] = t < prompt.Length ? prompt[t] : inResponse ? tokens[t - prompt.Length] : padTokenId;
                attention[i] = t < prompt.Length + tokens.Length ? 1 : 0;
                response[i] = inResponse ? 1 : 0;
                changed[i] = inResponse && flags[t - prompt.Length] ? 1 : 0;
            }
            last[b] = prompt.Length + tokens.Length - 1;
        }
        return new RewardBatch(tensor(ids, [n, T], device: device), tensor(attention, [n, T], device: device).to(ScalarType.Int64),
            tensor(response, [n, T], device: device), tensor(changed, [n, T], device: device), tensor(last, device: device),
            examples.Count, (long)attention.Sum());
    }
}
